#include "clv/database.hpp"

#include "store/database.hpp"
#include "store/database_access.hpp"

namespace clv {

Database Database::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->sqlite = open_database(path);
  return Database(std::move(impl));
}

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

const std::string& Database::path() const {
  return impl_->path;
}

}  // namespace clv
