// The plugin host against fixtures built to be good or bad, loaded as real
// modules. Each refusal must carry the right code and name the file, the
// plugin id and the versions involved.
#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "clv/plugin_registry.hpp"
#include "plugin_host/abi_version.hpp"

namespace {

using clv::Error;
using clv::ErrorCode;
using testing::HasSubstr;

const std::string kFixtures = CLV_PLUGIN_FIXTURE_DIR;

std::string fixture(const std::string& name) {
  return kFixtures + "/" + name;
}

// Loads `name` and returns the error it must raise.
Error load_error(clv::PluginRegistry& registry, const std::string& path) {
  try {
    registry.load(path);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "loading " << path << " did not fail";
  return Error::internal("no error");
}

clv::TransactionBatch small_batch() {
  clv::TransactionBatch batch;
  batch.payer_labels = {"insurance co", "self"};
  batch.add(0, 1000, clv::TransactionKind::kPurchase, 10.0, -1, 0);
  batch.add(0, 2000, clv::TransactionKind::kCancellation, 0.0, -1, 1);
  batch.add(1, 3000, clv::TransactionKind::kPurchase, 5.0);
  return batch;
}

TEST(PluginAbiVersion, ParsesAndChecksCompatibility) {
  using clv::plugin_host::abi_incompatibility;
  using clv::plugin_host::parse_abi_version;
  EXPECT_EQ(parse_abi_version("1.2.3"), (1u << 16) | (2u << 8) | 3u);
  EXPECT_EQ(parse_abi_version("1.2"), (1u << 16) | (2u << 8));
  EXPECT_FALSE(parse_abi_version("1"));
  EXPECT_FALSE(parse_abi_version("1.256.0"));
  EXPECT_FALSE(parse_abi_version("1.x.0"));
  EXPECT_FALSE(parse_abi_version("1.0.0.0"));
  const uint32_t host = *parse_abi_version("1.3.0");
  EXPECT_FALSE(abi_incompatibility(*parse_abi_version("1.0.7"), host));  // older minor loads
  EXPECT_FALSE(abi_incompatibility(*parse_abi_version("1.3.9"), host));  // patch is irrelevant
  EXPECT_THAT(*abi_incompatibility(*parse_abi_version("1.4.0"), host), HasSubstr("newer"));
  EXPECT_THAT(*abi_incompatibility(*parse_abi_version("0.9.0"), host),
              HasSubstr("different major"));
  EXPECT_EQ(clv::host_plugin_abi_version(), "1.2.0");
  EXPECT_EQ(clv::host_plugin_abi_version(), CLV_HOST_ABI);
}

TEST(PluginHost, LoadsThePluginWrittenInCAndRunsEveryHook) {
  clv::PluginRegistry registry;
  clv::SectorPlugin plugin = registry.load(fixture("good"));
  EXPECT_EQ(plugin.id(), "c_fixture");
  EXPECT_EQ(plugin.info().abi_version, CLV_HOST_ABI);
  EXPECT_EQ(plugin.info().version, "0.1.0");
  EXPECT_THAT(plugin.info().library_path, HasSubstr("libclv_fixture_good"));

  auto batch = small_batch();
  const auto report = plugin.normalize_transactions(batch);
  EXPECT_EQ(report.rows, 3u);
  EXPECT_EQ(report.dropped, 1u);
  EXPECT_EQ(report.cancelled, 1u);
  EXPECT_EQ(report.kept, 2u);
  EXPECT_EQ(batch.payer_class[0], static_cast<int32_t>(clv::PayerClass::kInsurer));
  EXPECT_EQ(batch.payer_class[1], static_cast<int32_t>(clv::PayerClass::kSelf));
  EXPECT_EQ(batch.payer_class[2], static_cast<int32_t>(clv::PayerClass::kUnknown));
  batch.erase_dropped();
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch.customer[1], 1);

  clv::IncidentBatch incidents;
  incidents.category_names = {"billing"};
  incidents.add(0, 0, 3600, 4, 0, clv::IncidentOutcome::kResolved, std::nan(""));
  const auto covariates = plugin.incident_covariates(incidents);
  ASSERT_EQ(covariates.names, std::vector<std::string>{"severity"});
  EXPECT_EQ(covariates.at(0, 0), 4.0);

  EXPECT_EQ(plugin.economics().time_unit.name, "day");
  EXPECT_EQ(plugin.economics().default_model, clv::ModelKind::kBgNbd);
  ASSERT_EQ(plugin.levers().size(), 1u);
  EXPECT_EQ(plugin.levers()[0].effects[0].target, "covariate:severity");
}

// ABI 1.1 renamed the status codes; a plugin built from an unchanged 1.0
// source (old names behind CLV_PLUGIN_LEGACY_STATUS_NAMES) still loads and runs.
TEST(PluginHost, AnSdk10PluginLoadsInThisHost) {
  clv::PluginRegistry registry;
  clv::SectorPlugin plugin = registry.load(fixture("legacy"));
  EXPECT_EQ(plugin.id(), "legacy");
  EXPECT_EQ(plugin.info().abi_version, "1.0.0");
  auto batch = small_batch();
  const auto report = plugin.normalize_transactions(batch);
  EXPECT_EQ(report.dropped, 1u);
  EXPECT_EQ(batch.payer_class[0], static_cast<int32_t>(clv::PayerClass::kInsurer));
}

TEST(PluginHost, PluginErrorMessagesReachTheCaller) {
  clv::PluginRegistry registry;
  clv::SectorPlugin plugin = registry.load(fixture("good"));
  auto batch = small_batch();
  batch.amount[2] = -1.0;
  try {
    plugin.normalize_transactions(batch);
    FAIL() << "a negative amount must be refused by the fixture";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kPluginError);
    EXPECT_THAT(e.what(), HasSubstr("plugin 'c_fixture'"));
    EXPECT_THAT(e.what(), HasSubstr("normalize_transactions"));
    EXPECT_THAT(e.what(), HasSubstr("negative amount"));
  }
}

TEST(PluginHost, WrongMajorAbiIsRefusedBeforeAnyPluginCodeRuns) {
  // The manifest points at the tripwire library, whose constructor aborts:
  // surviving this test proves the library was never opened.
  clv::PluginRegistry registry;
  const Error e = load_error(registry, fixture("wrong_major"));
  EXPECT_EQ(e.code(), ErrorCode::kAbiMismatch);
  EXPECT_THAT(e.what(), HasSubstr("plugin 'wrong_major'"));
  EXPECT_THAT(e.what(), HasSubstr(fixture("wrong_major") + "/manifest.json"));
  EXPECT_THAT(e.what(), HasSubstr("ABI 2.0.0"));
  EXPECT_THAT(e.what(), HasSubstr("ABI " CLV_HOST_ABI));
  EXPECT_THAT(e.what(), HasSubstr("different major"));
}

TEST(PluginHost, NewerMinorAbiIsRefusedBeforeAnyPluginCodeRuns) {
  clv::PluginRegistry registry;
  const Error e = load_error(registry, fixture("newer_minor"));
  EXPECT_EQ(e.code(), ErrorCode::kAbiMismatch);
  EXPECT_THAT(e.what(), HasSubstr("plugin 'newer_minor'"));
  EXPECT_THAT(e.what(), HasSubstr(CLV_NEXT_MINOR_ABI));
  EXPECT_THAT(e.what(), HasSubstr("newer than this host's ABI " CLV_HOST_ABI));
}

TEST(PluginHost, LibraryReportingAnotherAbiThanItsManifestIsRefused) {
  clv::PluginRegistry registry;
  const Error e = load_error(registry, fixture("lying_abi"));
  EXPECT_EQ(e.code(), ErrorCode::kAbiMismatch);
  EXPECT_THAT(e.what(), HasSubstr("plugin 'lying_abi'"));
  EXPECT_THAT(e.what(), HasSubstr("manifest.json says ABI " CLV_HOST_ABI
                                  " but the library reports ABI 2.0.0"));
}

TEST(PluginHost, MissingEntrySymbolIsNamed) {
  clv::PluginRegistry registry;
  const Error e = load_error(registry, fixture("no_entry"));
  EXPECT_EQ(e.code(), ErrorCode::kAbiMismatch);
  EXPECT_THAT(e.what(), HasSubstr("plugin 'no_entry'"));
  EXPECT_THAT(e.what(), HasSubstr("libclv_fixture_no_entry"));
  EXPECT_THAT(e.what(), HasSubstr("missing entry symbol 'clv_plugin_entry'"));
}

TEST(PluginHost, OversizedDescriptorIsRefused) {
  clv::PluginRegistry registry;
  const Error e = load_error(registry, fixture("too_large"));
  EXPECT_EQ(e.code(), ErrorCode::kPluginError);
  EXPECT_THAT(e.what(), HasSubstr("plugin 'too_large'"));
  EXPECT_THAT(e.what(), HasSubstr("descriptor too large"));
  EXPECT_THAT(e.what(), HasSubstr("1048576"));
  EXPECT_THAT(e.what(), HasSubstr("ABI " CLV_HOST_ABI ", host ABI " CLV_HOST_ABI));
}

TEST(PluginHost, MissingRequiredCallbackIsNamed) {
  clv::PluginRegistry registry;
  const Error e = load_error(registry, fixture("missing_callback"));
  EXPECT_EQ(e.code(), ErrorCode::kPluginError);
  EXPECT_THAT(e.what(), HasSubstr("plugin 'missing_callback'"));
  EXPECT_THAT(e.what(), HasSubstr("missing required callback incident_covariates"));
}

TEST(PluginHost, DuplicateIdIsRefusedNamingBothFiles) {
  clv::PluginRegistry registry;
  registry.load(fixture("good"));
  const Error e = load_error(registry, fixture("duplicate"));
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(e.what(), HasSubstr("duplicate plugin id 'c_fixture'"));
  EXPECT_THAT(e.what(), HasSubstr(fixture("duplicate") + "/manifest.json"));
  EXPECT_THAT(e.what(), HasSubstr(fixture("good") + "/manifest.json"));
  EXPECT_EQ(registry.plugins().size(), 1u);
}

TEST(PluginHost, ThrowingCallbackBecomesAPluginError) {
  clv::PluginRegistry registry;
  clv::SectorPlugin plugin = registry.load(fixture("throwing"));
  auto batch = small_batch();
  try {
    plugin.normalize_transactions(batch);
    FAIL() << "the fixture throws";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kPluginError);
    EXPECT_THAT(e.what(), HasSubstr("plugin 'throwing'"));
    EXPECT_THAT(e.what(), HasSubstr("normalize_transactions"));
    EXPECT_THAT(e.what(), HasSubstr("plugin threw an exception: boom: ledger out of balance"));
  }
  // The instance survives a failed call.
  EXPECT_EQ(plugin.economics().default_model, clv::ModelKind::kParetoNbd);
}

TEST(PluginHost, ErrorWithoutMessageIsReportedAsAPluginBug) {
  clv::PluginRegistry registry;
  clv::SectorPlugin plugin = registry.load(fixture("silent_error"));
  auto batch = small_batch();
  try {
    plugin.normalize_transactions(batch);
    FAIL() << "the fixture returns CLV_PLUGIN_ERROR";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kPluginError);
    EXPECT_THAT(e.what(), HasSubstr("plugin 'silent_error'"));
    EXPECT_THAT(e.what(), HasSubstr("plugin bug: returned error without a message"));
  }
}

TEST(PluginHost, HandleKeepsTheLibraryLoadedAfterTheRegistryIsGone) {
  const char* path = CLV_GOOD_FIXTURE_LIBRARY;
  auto loaded = [&] {
    void* h = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
    if (h != nullptr) dlclose(h);
    return h != nullptr;
  };
  ASSERT_FALSE(loaded());
  std::optional<clv::SectorPlugin> plugin;
  {
    clv::PluginRegistry registry;
    plugin = registry.load(fixture("good"));
  }
  ASSERT_TRUE(loaded());
  auto batch = small_batch();
  EXPECT_EQ(plugin->normalize_transactions(batch).dropped, 1u);
  plugin.reset();
  EXPECT_FALSE(loaded());
}

TEST(PluginHost, DiscoveryLoadsTheGoodAndReportsEveryBadFixture) {
  clv::PluginRegistry registry;
  clv::PluginSearchOptions options;
  options.plugin_dirs = {kFixtures};
  options.use_environment = false;
  options.use_install_prefix = false;
  const auto problems = registry.discover(options);
  std::vector<std::string> loaded;
  for (const auto& p : registry.plugins()) loaded.push_back(p.id());
  EXPECT_EQ(loaded, (std::vector<std::string>{"c_fixture", "legacy", "silent_error", "throwing"}));
  std::string all;
  for (const auto& p : problems) all += p.path + ": " + p.message + "\n";
  EXPECT_EQ(problems.size(), 7u) << all;
  for (const char* name : {"wrong_major", "newer_minor", "lying_abi", "no_entry", "too_large",
                           "missing_callback", "duplicate"}) {
    EXPECT_THAT(all, HasSubstr(fixture(name) + "/manifest.json")) << name;
  }
}

TEST(PluginHost, SearchPathOrderIsFlagThenEnvironmentThenPrefix) {
  ASSERT_EQ(setenv("CLV_PLUGIN_PATH", "/tmp/clv_a:/tmp/clv_b", 1), 0);
  clv::PluginSearchOptions options;
  options.plugin_dirs = {"/tmp/clv_cli", "/tmp/clv_a"};
  const auto path = clv::PluginRegistry::search_path(options);
  unsetenv("CLV_PLUGIN_PATH");
  ASSERT_GE(path.size(), 5u);
  EXPECT_EQ(path[0], "/tmp/clv_cli");
  EXPECT_EQ(path[1], "/tmp/clv_a");
  EXPECT_EQ(path[2], "/tmp/clv_b");
  // Then the installed locations, the configured prefix last.
  const auto exe = std::filesystem::canonical("/proc/self/exe");
  EXPECT_EQ(path[3], (exe.parent_path().parent_path() / "lib/clv/plugins").string());
  EXPECT_THAT(path.back(), HasSubstr("clv/plugins"));
}

TEST(PluginHost, ABuildTreeProgramSearchesTheBuildTreesPlugins) {
  // This test binary runs from the build tree: its plugins/ is on the path
  // (no CLV_PLUGIN_PATH needed), before the configured install prefix.
  clv::PluginSearchOptions options;
  options.use_environment = false;
  const auto path = clv::PluginRegistry::search_path(options);
  const std::string build_plugins = std::filesystem::canonical(CLV_FIRST_PARTY_PLUGIN_DIR).string();
  EXPECT_NE(std::find(path.begin(), path.end(), build_plugins), path.end())
      << "not in the search path: " << build_plugins;
  options.use_install_prefix = false;
  EXPECT_TRUE(clv::PluginRegistry::search_path(options).empty());
}

TEST(PluginHost, EnvironmentPathIsDiscovered) {
  ASSERT_EQ(setenv("CLV_PLUGIN_PATH", (fixture("good") + ":" + fixture("throwing")).c_str(), 1), 0);
  clv::PluginRegistry registry;
  clv::PluginSearchOptions options;
  options.use_install_prefix = false;
  const auto problems = registry.discover(options);
  unsetenv("CLV_PLUGIN_PATH");
  EXPECT_TRUE(problems.empty());
  EXPECT_TRUE(registry.has_sector("c_fixture"));
  EXPECT_TRUE(registry.has_sector("throwing"));
}

TEST(PluginHost, UnknownSectorListsWhatIsLoaded) {
  clv::PluginRegistry registry;
  registry.load(fixture("good"));
  try {
    registry.for_sector("aviation");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_THAT(e.what(), HasSubstr("'aviation'"));
    EXPECT_THAT(e.what(), HasSubstr("loaded: c_fixture"));
  }
}

TEST(PluginHost, BrokenManifestsNameTheFileAndField) {
  const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "clv_bad_manifest";
  std::filesystem::create_directories(dir);
  clv::PluginRegistry registry;
  std::ofstream(dir / "manifest.json") << "{ not json";
  Error e = load_error(registry, dir.string());
  EXPECT_EQ(e.code(), ErrorCode::kCorruptData);
  EXPECT_THAT(e.what(), HasSubstr((dir / "manifest.json").string()));
  std::ofstream(dir / "manifest.json") << R"({"id": "x", "library": "y"})";
  e = load_error(registry, dir.string());
  EXPECT_THAT(e.what(), HasSubstr("\"abi_version\" is missing"));
  std::ofstream(dir / "manifest.json") << R"({"id": "x", "abi_version": "1.0.0", "library": "y"})";
  e = load_error(registry, dir.string());
  EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  EXPECT_THAT(e.what(), HasSubstr("plugin 'x'"));
  EXPECT_THAT(e.what(), HasSubstr("library \"y\" not found"));
}

}  // namespace
