// `clv import` as a user runs it: output formats, and atomicity when the
// process is SIGKILLed in the middle of a large import.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

std::string temp(const std::string& name) {
  return (fs::path(testing::TempDir()) / name).string();
}

void remove_db(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
}

// Runs a shell command; returns stdout, stores stderr and the exit status.
std::string run(const std::string& command, std::string* err = nullptr, int* status = nullptr) {
  const std::string err_path = temp("cli_stderr.txt");
  std::FILE* pipe = popen((command + " 2>" + err_path).c_str(), "r");
  std::string out;
  char buffer[4096];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, got);
  const int rc = pclose(pipe);
  if (status != nullptr) *status = WEXITSTATUS(rc);
  if (err != nullptr) {
    std::ifstream in(err_path);
    err->assign(std::istreambuf_iterator<char>(in), {});
  }
  return out;
}

std::string write(const std::string& name, const std::string& text) {
  const std::string path = temp(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(ImportCli, JsonAndPlainOutput) {
  const std::string db = temp("cli_out.db");
  remove_db(db);
  const std::string csv =
      write("cli_out.csv", "customer_id,timestamp,amount\nc1,2024-01-01,1\nc2,nope,2\n");
  fs::remove(csv + ".rejects.csv");
  std::string err;
  int status = -1;
  const std::string out =
      run(std::string(CLV_CLI_PATH) + " import transactions " + csv + " --db " + db + " --json",
          &err, &status);
  EXPECT_EQ(status, 0) << err;
  const auto json = nlohmann::json::parse(out);
  EXPECT_EQ(json["inserted"], 1);
  EXPECT_EQ(json["duplicates"], 0);
  EXPECT_EQ(json["rejected"], 1);
  EXPECT_TRUE(fs::equivalent(json["rejects_file"].get<std::string>(), csv + ".rejects.csv"));
  EXPECT_EQ(err, "");  // stderr is not a terminal: no progress bar

  const std::string again =
      run(std::string(CLV_CLI_PATH) + " import transactions " + csv + " --db " + db, &err, &status);
  EXPECT_EQ(status, 0);
  EXPECT_NE(again.find("0 transactions inserted, 1 duplicates"), std::string::npos) << again;
  EXPECT_EQ(std::count(again.begin(), again.end(), '\n'), 1);
}

TEST(ImportCli, BadArgumentsExitNonZeroWithAHint) {
  const std::string db = temp("cli_bad.db");
  remove_db(db);
  const std::string csv = write("cli_bad.csv", "Id,Date,Price\n1,1997-01-01,1\n");
  std::string err;
  int status = 0;
  run(std::string(CLV_CLI_PATH) + " import transactions " + csv + " --db " + db, &err, &status);
  EXPECT_EQ(status, 2);
  EXPECT_NE(err.find("--map customer_id=COLUMN"), std::string::npos) << err;
  EXPECT_NE(err.find("cli_bad.csv"), std::string::npos) << err;  // names the file
  EXPECT_NE(err.find("a column named 'customer_id'"), std::string::npos) << err;
  run(std::string(CLV_CLI_PATH) + " import things " + csv + " --db " + db, &err, &status);
  EXPECT_NE(status, 0);
  EXPECT_NE(err.find("unknown entity"), std::string::npos) << err;
}

int64_t scalar(SQLite::Database& db, const char* sql) {
  return db.execAndGet(sql).getInt64();
}

// --max-rejects N: more than N rejected rows fail the whole import (nothing
// stored, exit code 2, a JSON error with --json); at most N import as before.
TEST(ImportCli, MaxRejectsFailsTheWholeImport) {
  const std::string db = temp("cli_max_rejects.db");
  remove_db(db);
  const std::string csv = write("cli_max_rejects.csv",
                                "customer_id,timestamp,amount\n"
                                "c1,2024-01-01,1\n"
                                "c2,nope,2\n"
                                "c3,2024-01-02,3\n"
                                "c4,2024-01-03,-4\n"
                                "c5,2024-01-04,5\n");
  // A rejects file of an earlier run: replaced by this run's, never deleted
  // (issue 13: a refused import must still say why).
  write("cli_max_rejects.csv.rejects.csv", "stale rejects of an earlier run\n");
  const std::string import =
      std::string(CLV_CLI_PATH) + " import transactions " + csv + " --db " + db;
  std::string err;
  int status = -1;
  const std::string out = run(import + " --max-rejects 1 --json", &err, &status);
  EXPECT_EQ(status, 2) << err;
  const auto json = nlohmann::json::parse(out);
  EXPECT_EQ(json["error"]["code"], "invalid_argument");
  const std::string message = json["error"]["message"];
  EXPECT_NE(message.find("more than 1 rows rejected (--max-rejects 1; the limit was crossed on "
                         "line 5)"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("nothing was imported"), std::string::npos) << message;
  EXPECT_NE(message.find("First reject: line 3, column timestamp"), std::string::npos) << message;
  EXPECT_NE(err.find("--max-rejects 1"), std::string::npos) << err;
  // The rows rejected up to the limit are in the rejects file, which the
  // message names; the earlier file's text is gone.
  EXPECT_NE(message.find("The 2 rejected rows up to line 5 are in '" + csv + ".rejects.csv'"),
            std::string::npos)
      << message;
  {
    std::ifstream in(csv + ".rejects.csv");
    ASSERT_TRUE(in.good()) << "no rejects file after a --max-rejects failure";
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    ASSERT_EQ(lines.size(), 3u);  // header, line 3, line 5
    EXPECT_EQ(lines[0], "file,line,column,reason,original_text\r");
    EXPECT_NE(lines[1].find(",3,timestamp,unparseable date 'nope'"), std::string::npos) << lines[1];
    EXPECT_NE(lines[2].find(",5,amount,"), std::string::npos) << lines[2];
    EXPECT_NE(lines[2].find("c4,2024-01-03,-4"), std::string::npos) << lines[2];
  }
  {
    SQLite::Database check(db, SQLite::OPEN_READONLY);
    EXPECT_EQ(scalar(check, "SELECT count(*) FROM transactions"), 0);
    EXPECT_EQ(scalar(check, "SELECT count(*) FROM customers"), 0);
    EXPECT_EQ(scalar(check, "SELECT count(*) FROM imported_files"), 0);
  }
  // Plain output: the same exit code, the message on stderr.
  run(import + " --max-rejects 0", &err, &status);
  EXPECT_EQ(status, 2);
  EXPECT_NE(err.find("more than 0 rows rejected"), std::string::npos) << err;
  // Exactly N rejects is within the limit: the import runs as without it.
  const std::string ok = run(import + " --max-rejects 2 --json", &err, &status);
  EXPECT_EQ(status, 0) << err;
  EXPECT_EQ(nlohmann::json::parse(ok)["inserted"], 3);
  EXPECT_EQ(nlohmann::json::parse(ok)["rejected"], 2);
  run(import + " --max-rejects -1", &err, &status);
  EXPECT_NE(status, 0);
}

TEST(ImportCli, KilledImportLeavesDatabaseAsBefore) {
  const std::string db_path = temp("cli_kill.db");
  remove_db(db_path);
  const std::string cli = CLV_CLI_PATH;
  const std::string small = write(
      "cli_kill_small.csv", "customer_id,timestamp,amount\nc1,2024-01-01,1\nc2,2024-01-02,2\n");
  int status = -1;
  run(cli + " import transactions " + small + " --db " + db_path + " --json", nullptr, &status);
  ASSERT_EQ(status, 0);

  // 200k rows over 30k customers; the child stops itself after ~100k rows.
  const std::string big = temp("cli_kill_big.csv");
  {
    std::ofstream out(big, std::ios::binary);
    out << "customer_id,timestamp,amount,quantity\n";
    for (int i = 0; i < 200000; ++i) {
      out << "k" << (static_cast<int64_t>(i) * 7919) % 30000 << ",2024-" << (i % 12 < 9 ? "0" : "")
          << (1 + i % 12) << "-01," << i % 1000 << ".25,1\n";
    }
  }
  int64_t transactions_before, customers_before, files_before;
  uintmax_t wal_before;
  {
    SQLite::Database db(db_path);
    transactions_before = scalar(db, "SELECT COUNT(*) FROM transactions");
    customers_before = scalar(db, "SELECT COUNT(*) FROM customers");
    files_before = scalar(db, "SELECT COUNT(*) FROM imported_files");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  wal_before = fs::exists(db_path + "-wal") ? fs::file_size(db_path + "-wal") : 0;
  ASSERT_EQ(transactions_before, 2);

  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    setenv("CLV_IMPORT_STOP_AFTER_ROWS", "100000", 1);
    // A 1 MiB page cache makes SQLite spill uncommitted pages into the WAL,
    // so the kill really interrupts writes to disk.
    execl(cli.c_str(), cli.c_str(), "import", "transactions", big.c_str(), "--db", db_path.c_str(),
          "--cache-mib", "1", static_cast<char*>(nullptr));
    _exit(127);
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, WUNTRACED), child);
  ASSERT_TRUE(WIFSTOPPED(wstatus)) << "the import ended before reaching the stop point";
  const uintmax_t wal_mid = fs::file_size(db_path + "-wal");
  ASSERT_EQ(kill(child, SIGKILL), 0);
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus));
  EXPECT_EQ(WTERMSIG(wstatus), SIGKILL);
  EXPECT_GT(wal_mid, wal_before + (256u << 10)) << "uncommitted pages should have reached the WAL";

  {
    SQLite::Database db(db_path, SQLite::OPEN_READWRITE);
    EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
    EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM transactions"), transactions_before);
    EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM customers"), customers_before);
    EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM imported_files"), files_before);
    EXPECT_EQ(scalar(db,
                     "SELECT COUNT(*) FROM sqlite_master WHERE name = "
                     "'transactions_by_customer_time'"),
              1);
  }
  // The interrupted file was not recorded as imported: running it again works.
  std::string err;
  const std::string out =
      run(cli + " import transactions " + big + " --db " + db_path + " --json", &err, &status);
  ASSERT_EQ(status, 0) << err;
  EXPECT_EQ(nlohmann::json::parse(out)["inserted"], 200000);
}

}  // namespace
