// `clv serve` over real loopback sockets: the CDNOW round trip, token rules,
// malformed and oversized requests (4xx, nothing changed), SIGKILL after
// acknowledged ingests, SIGTERM shutdown.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;

std::string fresh_db(const std::string& name) {
  const std::string path = testing::TempDir() + "/http_" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

// A `clv serve` child process; the port comes from its first stdout line.
class Server {
 public:
  Server(std::vector<std::string> args, std::vector<std::string> env = {}) {
    int out[2];
    EXPECT_EQ(pipe(out), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
      std::vector<char*> argv = {const_cast<char*>(CLV_CLI_PATH), const_cast<char*>("serve")};
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(CLV_CLI_PATH, argv.data());
      _exit(127);
    }
    close(out[1]);
    std::string line;
    pollfd p{out[0], POLLIN, 0};
    char c;
    while (poll(&p, 1, 20000) > 0 && read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    const auto colon = line.rfind(':');
    if (line.find("listening") != std::string::npos && colon != std::string::npos) {
      port_ = std::atoi(line.c_str() + colon + 1);
    }
  }
  ~Server() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  // Sends a signal and returns the exit status (-1 on timeout), -signal if killed.
  int signal_and_wait(int sig) {
    kill(pid_, sig);
    return wait_exit();
  }
  int wait_exit() {
    for (int i = 0; i < 200; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1000;
  }
  httplib::Client client(const std::string& token = "") const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    if (!token.empty()) c.set_bearer_token_auth(token.c_str());
    return c;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  bool exited_ = false;
};

json body_of(const httplib::Result& r) {
  EXPECT_TRUE(r) << "no response";
  if (!r) return {};
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  return json::parse(r->body);
}

httplib::Result post(httplib::Client& c, const std::string& path, const json& body) {
  return c.Post(path.c_str(), body.dump(), "application/json");
}

json cdnow_batch(size_t from, size_t count, size_t* total = nullptr) {
  std::ifstream in(std::string(CLV_SHARED_DATA_DIR) + "/cdnow/CDNOW_sample.txt");
  std::string master, sample, date;
  int cds;
  double dollars;
  json list = json::array();
  size_t i = 0;
  while (in >> master >> sample >> date >> cds >> dollars) {
    if (i >= from && i < from + count) {
      list.push_back(
          {{"customer_id", std::to_string(std::stoi(sample))},
           {"timestamp", date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2)},
           {"amount", dollars},
           {"id", "cdnow-" + std::to_string(i)}});
    }
    ++i;
  }
  if (total) *total = i;
  return {{"transactions", list}};
}

size_t transactions_stored(httplib::Client& c) {
  return body_of(c.Get("/v1/health"))["transactions"].get<size_t>();
}

TEST(HttpService, CdnowRoundTrip) {
  Server server({"--db", fresh_db("cdnow"), "--port", "0", "--observation-end", "1997-09-30",
                 "--horizon", "39", "--margin", "0.3"});
  ASSERT_GT(server.port(), 0);
  auto c = server.client();
  EXPECT_EQ(body_of(c.Get("/v1/health"))["status"], "ok");
  size_t total = 0;
  cdnow_batch(0, 0, &total);
  ASSERT_EQ(total, 6919u);
  for (size_t from = 0; from < total; from += 2000) {
    const auto r = post(c, "/v1/transactions", cdnow_batch(from, 2000));
    ASSERT_EQ(r->status, 200) << r->body;
  }
  EXPECT_EQ(transactions_stored(c), 6919u);
  // Re-sending a batch with ids is idempotent.
  const json again = body_of(post(c, "/v1/transactions", cdnow_batch(0, 100)));
  EXPECT_EQ(again["duplicates"], 100);
  EXPECT_EQ(again["inserted"], 0);

  EXPECT_EQ(c.Get("/v1/customers/1/scores")->status, 404);  // no run yet
  const auto fit = c.Post("/v1/runs", "", "application/json");
  ASSERT_EQ(fit->status, 201) << fit->body;
  const json run = body_of(fit);
  EXPECT_NEAR(run["count_fit"]["params"]["r"].get<double>(), 0.243, 0.002) << run.dump();
  EXPECT_NEAR(run["count_fit"]["params"]["alpha"].get<double>(), 4.414, 0.01);
  EXPECT_NEAR(run["count_fit"]["params"]["a"].get<double>(), 0.793, 0.003);
  EXPECT_NEAR(run["count_fit"]["params"]["b"].get<double>(), 2.426, 0.01);
  EXPECT_EQ(run["n_customers"], 2357);

  const json s = body_of(c.Get("/v1/customers/1/scores"));
  EXPECT_EQ(s["frequency"], 2);
  EXPECT_NEAR(s["recency"].get<double>(), 30.43, 0.01);
  EXPECT_EQ(s["run_id"], run["id"]);
  EXPECT_GT(s["clv"].get<double>(), 0);
  const json many = body_of(post(c, "/v1/scores", {{"customer_ids", {"1", "2", "3"}}}));
  ASSERT_EQ(many["scores"].size(), 3u);
  EXPECT_EQ(many["scores"][0]["p_alive"], s["p_alive"]);

  // An incremental purchase moves the score without a refit.
  ASSERT_EQ(post(c, "/v1/transactions",
                 {{"transactions",
                   {{{"customer_id", "3"}, {"timestamp", "1997-09-30"}, {"amount", 20}}}}})
                ->status,
            200);
  const json s3 = body_of(c.Get("/v1/customers/3/scores"));
  EXPECT_EQ(s3["frequency"], 1);
  EXPECT_EQ(s3["run_id"], run["id"]);
  ASSERT_EQ(
      post(c, "/v1/incidents",
           {{"incidents", {{{"customer_id", "3"}, {"opened_at", "1997-09-02"}, {"severity", 2}}}}})
          ->status,
      200);
  EXPECT_EQ(body_of(c.Get("/v1/customers/3/scores"))["incidents"], 1);

  const json risk = body_of(c.Get("/v1/customers/at-risk?limit=5"));
  ASSERT_EQ(risk["customers"].size(), 5u);
  EXPECT_EQ(c.Get("/v1/customers/at-risk?limit=zero")->status, 400);
  EXPECT_EQ(body_of(c.Get("/v1/runs"))["runs"].size(), 1u);
  EXPECT_EQ(body_of(c.Get(("/v1/runs/" + std::to_string(run["id"].get<int>())).c_str()))["id"],
            run["id"]);
  EXPECT_EQ(c.Get("/v1/runs/99")->status, 404);
  EXPECT_EQ(body_of(c.Get("/v1/customers/1/churn-drivers"))["error"]["code"], "not_implemented");
  EXPECT_EQ(post(c, "/v1/what-if", json::object())->status, 501);
}

TEST(HttpService, TokenRules) {
  const std::string token = "s3cret-token-0123456789";
  {  // Off loopback without a token the server refuses to start.
    Server open({"--db", fresh_db("token0"), "--host", "0.0.0.0", "--port", "0"});
    EXPECT_EQ(open.port(), 0);
    EXPECT_EQ(open.wait_exit(), 2);
  }
  {  // Token from the environment on loopback: required except for health.
    Server server({"--db", fresh_db("token1"), "--port", "0"}, {"CLV_SERVE_TOKEN=" + token});
    ASSERT_GT(server.port(), 0);
    auto anonymous = server.client();
    EXPECT_EQ(anonymous.Get("/v1/health")->status, 200);
    const auto denied = anonymous.Get("/v1/runs");
    EXPECT_EQ(denied->status, 401);
    EXPECT_EQ(body_of(denied)["error"]["code"], "unauthorized");
    EXPECT_EQ(post(anonymous, "/v1/transactions", {{"transactions", json::array()}})->status, 401);
    auto wrong = server.client(token + "x");
    EXPECT_EQ(wrong.Get("/v1/runs")->status, 401);
    auto right = server.client(token);
    EXPECT_EQ(right.Get("/v1/runs")->status, 200);
  }
  {  // Token from a file when bound to all interfaces.
    const std::string file = testing::TempDir() + "/http_token.txt";
    std::ofstream(file) << token << "\n";
    Server server(
        {"--db", fresh_db("token2"), "--host", "0.0.0.0", "--port", "0", "--token-file", file});
    ASSERT_GT(server.port(), 0);
    EXPECT_EQ(server.client().Get("/v1/runs")->status, 401);
    EXPECT_EQ(server.client(token).Get("/v1/runs")->status, 200);
  }
}

TEST(HttpService, MalformedAndOversizedRequestsChangeNothing) {
  Server server(
      {"--db", fresh_db("bad"), "--port", "0", "--max-body-bytes", "4000", "--max-batch", "5"});
  ASSERT_GT(server.port(), 0);
  auto c = server.client();
  ASSERT_EQ(post(c, "/v1/transactions",
                 {{"transactions",
                   {{{"customer_id", "a"}, {"timestamp", 1700000000}, {"amount_minor", 100}}}}})
                ->status,
            200);
  auto expect_error = [&](const httplib::Result& r, int status, const std::string& code,
                          const std::string& mentions) {
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, status) << r->body;
    const json e = body_of(r);
    EXPECT_EQ(e["error"]["code"], code) << r->body;
    EXPECT_NE(e["error"]["message"].get<std::string>().find(mentions), std::string::npos)
        << r->body;
  };
  expect_error(c.Post("/v1/transactions", "{\"transactions\": [", "application/json"), 400,
               "invalid_argument", "not valid JSON");
  expect_error(post(c, "/v1/transactions",
                    {{"transactions",
                      {{{"customer_id", "b"}, {"timestamp", 1700000000}, {"amount", 1}},
                       {{"customer_id", 7}, {"timestamp", 1700000000}, {"amount", 1}}}}}),
               400, "invalid_argument", "record 1: field 'customer_id' must be a string");
  expect_error(
      post(c, "/v1/transactions",
           {{"transactions",
             {{{"customer_id", "b"}, {"timestamp", 1700000000}, {"amount", 1}, {"amout", 2}}}}}),
      400, "invalid_argument", "'amout'");
  expect_error(post(c, "/v1/transactions",
                    {{"transactions",
                      {{{"customer_id", "b"}, {"timestamp", 1700000000000}, {"amount", 1}}}}}),
               400, "invalid_argument", "1900..2200");
  expect_error(c.Post("/v1/transactions", "{\"transactions\": []}", "text/plain"), 400,
               "invalid_argument", "application/json");
  expect_error(post(c, "/v1/incidents",
                    {{"incidents", {{{"customer_id", "b"}, {"opened_at", "2024-02-30x"}}}}}),
               400, "invalid_argument", "opened_at");
  json six = json::array();
  for (int i = 0; i < 6; ++i) {
    six.push_back({{"customer_id", "b"}, {"timestamp", 1700000000}, {"amount", 1}});
  }
  expect_error(post(c, "/v1/transactions", {{"transactions", six}}), 413, "batch_too_large",
               "limit of 5");
  expect_error(c.Post("/v1/transactions", std::string(5000, ' '), "application/json"), 413,
               "body_too_large", "limit");
  expect_error(c.Get("/v1/customers/nobody/scores"), 404, "not_found", "");
  expect_error(c.Get("/v1/no/such/endpoint"), 404, "no_route", "/v1/no/such/endpoint");
  // Nothing of the rejected requests was stored.
  const json health = body_of(c.Get("/v1/health"));
  EXPECT_EQ(health["transactions"], 1);
  EXPECT_EQ(health["customers"], 1);
  EXPECT_EQ(health["incidents"], 0);
}

TEST(HttpService, AcknowledgedIngestsSurviveSigkill) {
  const std::string db = fresh_db("sigkill");
  std::vector<json> acknowledged;
  {
    Server server({"--db", db, "--port", "0"});
    ASSERT_GT(server.port(), 0);
    std::atomic<bool> stop{false};
    std::mutex m;
    std::thread writer([&] {
      auto c = server.client();
      for (int b = 0; !stop; ++b) {
        json list = json::array();
        for (int k = 0; k < 200; ++k) {
          list.push_back({{"customer_id", fmt::format("c{}", k % 97)},
                          {"timestamp", 1700000000 + b * 3600 + k},
                          {"amount_minor", 100 + k},
                          {"id", fmt::format("b{}-{}", b, k)}});
        }
        json batch = {{"transactions", list}};
        const auto r = post(c, "/v1/transactions", batch);
        if (!r || r->status != 200) break;  // killed mid-request: not acknowledged
        std::lock_guard lock(m);
        acknowledged.push_back(std::move(batch));
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    EXPECT_EQ(server.signal_and_wait(SIGKILL), -SIGKILL);
    stop = true;
    writer.join();
  }
  ASSERT_GT(acknowledged.size(), 2u);
  Server restarted({"--db", db, "--port", "0"});
  ASSERT_GT(restarted.port(), 0);
  auto c = restarted.client();
  EXPECT_GE(transactions_stored(c), acknowledged.size() * 200);
  // Every acknowledged record is stored: sending them again adds nothing.
  for (const json& batch : acknowledged) {
    const json r = body_of(post(c, "/v1/transactions", batch));
    ASSERT_EQ(r["inserted"], 0);
    ASSERT_EQ(r["duplicates"], 200);
  }
}

TEST(HttpService, SigtermStopsCleanly) {
  Server server({"--db", fresh_db("sigterm"), "--port", "0"});
  ASSERT_GT(server.port(), 0);
  auto c = server.client();
  ASSERT_EQ(c.Get("/v1/health")->status, 200);  // a kept-alive connection stays open
  EXPECT_EQ(server.signal_and_wait(SIGTERM), 0);
}

}  // namespace
