// COMMAND, INFO, CONFIG and TIME through the dispatcher, in RESP2 and RESP3.
// The COMMAND INFO / DOCS bytes below were printed by redis-server 7.0.15
// (`COMMAND INFO get` ...): they are facts about Redis, not about stashd.
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "commands/command_fixture.h"
#include "protocol/reply_builder.h"
#include "server/commands/command_docs.h"

namespace stashd::test {
namespace {

using ::testing::Contains;
using ::testing::Not;

// ---- Reference replies (redis-server 7.0.15, RESP2 unless noted) ----

constexpr char kInfoGet[] =
    "*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n"
    "+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n"
    "+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\n"
    "spec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\n"
    "range\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n"
    "$5\r\nlimit\r\n:0\r\n*0\r\n";

constexpr char kInfoGetResp3[] =
    "*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n"
    "+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n"
    "+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\n"
    "spec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\n"
    "range\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n"
    "$5\r\nlimit\r\n:0\r\n~0\r\n";

// Redis also prints a "notes" field in SET's key spec ("RW and ACCESS due to
// the optional `GET` argument"); stashd does not carry key-spec notes, so
// this is Redis's reply without it (*6 instead of *8).
constexpr char kInfoSet[] =
    "*10\r\n$3\r\nset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:1\r\n:1\r\n*3\r\n"
    "+@write\r\n+@string\r\n+@slow\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*4\r\n+RW\r\n"
    "+access\r\n+update\r\n+variable_flags\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\n"
    "type\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\n"
    "find_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\n"
    "lastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n";

constexpr char kInfoMset[] =
    "*10\r\n$4\r\nmset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:-1\r\n:2\r\n"
    "*3\r\n+@write\r\n+@string\r\n+@slow\r\n*2\r\n$26\r\n"
    "request_policy:multi_shard\r\n$29\r\nresponse_policy:all_succeeded\r\n*1\r\n"
    "*6\r\n$5\r\nflags\r\n*2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\n"
    "type\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\n"
    "find_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\n"
    "lastkey\r\n:-1\r\n$7\r\nkeystep\r\n:2\r\n$5\r\nlimit\r\n:0\r\n*0\r\n";

constexpr char kInfoDel[] =
    "*10\r\n$3\r\ndel\r\n:-2\r\n*1\r\n+write\r\n:1\r\n:-1\r\n:1\r\n*3\r\n"
    "+@keyspace\r\n+@write\r\n+@slow\r\n*2\r\n$26\r\nrequest_policy:multi_shard\r\n"
    "$23\r\nresponse_policy:agg_sum\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RM\r\n"
    "+delete\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\n"
    "spec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\n"
    "range\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:1\r\n"
    "$5\r\nlimit\r\n:0\r\n*0\r\n";

constexpr char kInfoRename[] =
    "*10\r\n$6\r\nrename\r\n:3\r\n*1\r\n+write\r\n:1\r\n:2\r\n:1\r\n*3\r\n"
    "+@keyspace\r\n+@write\r\n+@slow\r\n*0\r\n*2\r\n*6\r\n$5\r\nflags\r\n*3\r\n"
    "+RW\r\n+access\r\n+delete\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\n"
    "index\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n"
    "$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\n"
    "keystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*6\r\n$5\r\nflags\r\n*2\r\n+OW\r\n"
    "+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\n"
    "spec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\n"
    "range\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n"
    "$5\r\nlimit\r\n:0\r\n*0\r\n";

constexpr char kInfoConfigGet[] =
    "*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n"
    "+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n"
    "*0\r\n*0\r\n";

constexpr char kInfoConfigGetResp3[] =
    "*10\r\n$10\r\nconfig|get\r\n:-3\r\n~4\r\n+admin\r\n+noscript\r\n+loading\r\n"
    "+stale\r\n:0\r\n:0\r\n:0\r\n~3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n~0\r\n"
    "~0\r\n~0\r\n";

constexpr char kInfoPing[] =
    "*10\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n"
    "+@connection\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\n"
    "response_policy:all_succeeded\r\n*0\r\n*0\r\n";

constexpr char kInfoClientList[] =
    "*10\r\n$11\r\nclient|list\r\n:-2\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n"
    "+stale\r\n:0\r\n:0\r\n:0\r\n*4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n"
    "+@connection\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n";

constexpr char kInfoTime[] =
    "*10\r\n$4\r\ntime\r\n:1\r\n*3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n"
    ":0\r\n*1\r\n+@fast\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n";

constexpr char kInfoInfo[] =
    "*10\r\n$4\r\ninfo\r\n:-1\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n"
    "+@slow\r\n+@dangerous\r\n*3\r\n$23\r\nnondeterministic_output\r\n$25\r\n"
    "request_policy:all_shards\r\n$23\r\nresponse_policy:special\r\n*0\r\n*0\r\n";

// COMMAND DOCS set, RESP2 and RESP3 (after HELLO 3): summary, history and
// the arguments tree redis-cli builds its hints from.
constexpr char kDocsSet[] =
    "*2\r\n$3\r\nset\r\n*12\r\n$7\r\nsummary\r\n$29\r\nSet the string value of a key\r\n"
    "$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\n"
    "O(1)\r\n$7\r\nhistory\r\n*4\r\n*2\r\n$6\r\n2.6.12\r\n$44\r\n"
    "Added the `EX`, `PX`, `NX` and `XX` options.\r\n*2\r\n$5\r\n6.0.0\r\n$27\r\n"
    "Added the `KEEPTTL` option.\r\n*2\r\n$5\r\n6.2.0\r\n$42\r\n"
    "Added the `GET`, `EXAT` and `PXAT` option.\r\n*2\r\n$5\r\n7.0.0\r\n$55\r\n"
    "Allowed the `NX` and `GET` options to be used together.\r\n$9\r\narguments\r\n*5\r\n"
    "*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n"
    ":0\r\n*4\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n*10\r\n$4\r\n"
    "name\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n"
    "$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$2\r\n"
    "nx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n*6\r\n$4\r\nname\r\n"
    "$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n*10\r\n$4\r\n"
    "name\r\n$3\r\nget\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nGET\r\n"
    "$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*8\r\n$4\r\nname\r\n"
    "$10\r\nexpiration\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n*1\r\n+optional\r\n"
    "$9\r\narguments\r\n*5\r\n*8\r\n$4\r\nname\r\n$7\r\nseconds\r\n$4\r\ntype\r\n$7\r\n"
    "integer\r\n$5\r\ntoken\r\n$2\r\nEX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n*8\r\n$4\r\n"
    "name\r\n$12\r\nmilliseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\n"
    "PX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n*8\r\n$4\r\nname\r\n$17\r\nunix-time-seconds\r\n"
    "$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nEXAT\r\n$5\r\nsince\r\n$5\r\n"
    "6.2.0\r\n*8\r\n$4\r\nname\r\n$22\r\nunix-time-milliseconds\r\n$4\r\ntype\r\n$9\r\n"
    "unix-time\r\n$5\r\ntoken\r\n$4\r\nPXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n*8\r\n$4\r\n"
    "name\r\n$7\r\nkeepttl\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\n"
    "KEEPTTL\r\n$5\r\nsince\r\n$5\r\n6.0.0\r\n";

constexpr char kDocsSetResp3[] =
    "%1\r\n$3\r\nset\r\n%6\r\n$7\r\nsummary\r\n$29\r\nSet the string value of a key\r\n$5\r\n"
    "since\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\n"
    "O(1)\r\n$7\r\nhistory\r\n~4\r\n*2\r\n$6\r\n2.6.12\r\n$44\r\n"
    "Added the `EX`, `PX`, `NX` and `XX` options.\r\n*2\r\n$5\r\n6.0.0\r\n$27\r\n"
    "Added the `KEEPTTL` option.\r\n*2\r\n$5\r\n6.2.0\r\n$42\r\n"
    "Added the `GET`, `EXAT` and `PXAT` option.\r\n*2\r\n$5\r\n7.0.0\r\n$55\r\n"
    "Allowed the `NX` and `GET` options to be used together.\r\n$9\r\narguments\r\n*5\r\n"
    "%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n"
    ":0\r\n%2\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n%5\r\n$4\r\n"
    "name\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n"
    "$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$2\r\n"
    "nx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n%3\r\n$4\r\nname\r\n"
    "$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n%5\r\n$4\r\n"
    "name\r\n$3\r\nget\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nGET\r\n"
    "$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%4\r\n$4\r\nname\r\n"
    "$10\r\nexpiration\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n~1\r\n+optional\r\n"
    "$9\r\narguments\r\n*5\r\n%4\r\n$4\r\nname\r\n$7\r\nseconds\r\n$4\r\ntype\r\n$7\r\n"
    "integer\r\n$5\r\ntoken\r\n$2\r\nEX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n%4\r\n$4\r\n"
    "name\r\n$12\r\nmilliseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\n"
    "PX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n%4\r\n$4\r\nname\r\n$17\r\nunix-time-seconds\r\n"
    "$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nEXAT\r\n$5\r\nsince\r\n$5\r\n"
    "6.2.0\r\n%4\r\n$4\r\nname\r\n$22\r\nunix-time-milliseconds\r\n$4\r\ntype\r\n$9\r\n"
    "unix-time\r\n$5\r\ntoken\r\n$4\r\nPXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n%4\r\n$4\r\n"
    "name\r\n$7\r\nkeepttl\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\n"
    "KEEPTTL\r\n$5\r\nsince\r\n$5\r\n6.0.0\r\n";

// Simple-string flags of quit/hello/auth/reset.
constexpr char kHandshakeFlags[] =
    "*6\r\n+noscript\r\n+loading\r\n+stale\r\n+fast\r\n+no_auth\r\n+allow_busy\r\n";

class ServerTest : public CommandTest {
 protected:
  // "*1\r\n" + entry: COMMAND INFO of one command.
  std::string InfoOf(const std::string& name) {
    std::string raw = RunRaw({"command", "info", name});
    EXPECT_EQ(raw.substr(0, 4), "*1\r\n");
    return raw.substr(4);
  }

  // INFO text → section title → (field → value), checking the format:
  // "# Title" headers, "key:value" lines, "\r\n" line ends, a blank line
  // between sections.
  static std::vector<std::pair<std::string, std::map<std::string, std::string>>> ParseInfo(
      const std::string& text) {
    std::vector<std::pair<std::string, std::map<std::string, std::string>>> out;
    EXPECT_TRUE(text.empty() || text.substr(text.size() - 2) == "\r\n") << text;
    size_t pos = 0;
    bool blank_before = true;
    while (pos < text.size()) {
      size_t end = text.find("\r\n", pos);
      EXPECT_NE(end, std::string::npos);
      if (end == std::string::npos) break;
      std::string line = text.substr(pos, end - pos);
      pos = end + 2;
      EXPECT_EQ(line.find('\n'), std::string::npos);
      if (line.empty()) {
        blank_before = true;
        continue;
      }
      if (line[0] == '#') {
        EXPECT_TRUE(blank_before) << "section without a blank line before: " << line;
        EXPECT_EQ(line.substr(0, 2), "# ");
        out.emplace_back(line.substr(2), std::map<std::string, std::string>{});
        blank_before = false;
        continue;
      }
      EXPECT_FALSE(out.empty()) << line;
      size_t colon = line.find(':');
      EXPECT_NE(colon, std::string::npos) << line;
      if (out.empty() || colon == std::string::npos) continue;
      EXPECT_TRUE(out.back().second.emplace(line.substr(0, colon), line.substr(colon + 1)).second)
          << "duplicate field " << line;
    }
    return out;
  }

  static std::vector<std::string> Titles(const std::string& text) {
    std::vector<std::string> titles;
    for (const auto& [title, fields] : ParseInfo(text)) titles.push_back(title);
    return titles;
  }

  std::map<std::string, std::string> InfoSection(const std::string& section) {
    RespValue v = Run({"info", section});
    auto parsed = ParseInfo(v.str);
    EXPECT_EQ(parsed.size(), 1u) << v.str;
    return parsed.empty() ? std::map<std::string, std::string>{} : parsed[0].second;
  }
};

// ---- COMMAND INFO ----

TEST_F(ServerTest, CommandInfoOfOwnCommandsMatchesRedis) {
  EXPECT_EQ(InfoOf("config|get"), kInfoConfigGet);
  EXPECT_EQ(InfoOf("CONFIG|GET"), kInfoConfigGet);
  EXPECT_EQ(InfoOf("ping"), kInfoPing);
  EXPECT_EQ(InfoOf("client|list"), kInfoClientList);
  EXPECT_EQ(InfoOf("time"), kInfoTime);
  EXPECT_EQ(InfoOf("info"), kInfoInfo);
  for (const char* name : {"quit", "hello", "auth", "reset"}) {
    EXPECT_NE(InfoOf(name).find(kHandshakeFlags), std::string::npos) << name;
  }
}

TEST_F(ServerTest, CommandInfoOfDataCommandsMatchesRedis) {
  EXPECT_EQ(InfoOf("get"), kInfoGet);
  EXPECT_EQ(InfoOf("set"), kInfoSet);
  EXPECT_EQ(InfoOf("mset"), kInfoMset);
  EXPECT_EQ(InfoOf("del"), kInfoDel);
  EXPECT_EQ(InfoOf("rename"), kInfoRename);
}

TEST_F(ServerTest, CommandInfoInResp3UsesSets) {
  Run({"hello", "3"});
  EXPECT_EQ(InfoOf("config|get"), kInfoConfigGetResp3);
  EXPECT_EQ(InfoOf("get"), kInfoGetResp3);
}

// The renderer on its own, with rows shaped like Redis's GET and RENAME, so
// that it is checked whatever the registered rows carry.
TEST_F(ServerTest, CommandInfoRendererMatchesRedisShapes) {
  server::CommandSpec get;
  get.name = "get";
  get.arity = 2;
  get.flags = server::kReadonly | server::kFast;
  get.first_key = get.last_key = get.step = 1;
  get.acl_categories = server::AclCategory::kString;
  get.key_spec_flags = {server::KeySpecFlag::kRO | server::KeySpecFlag::kAccess};
  protocol::ReplyBuilder reply;
  server::ReplyCommandInfo(get, reply);
  EXPECT_EQ(reply.buffer(), kInfoGet);
  reply.Clear();
  reply.set_resp3(true);
  server::ReplyCommandInfo(get, reply);
  EXPECT_EQ(reply.buffer(), kInfoGetResp3);

  server::CommandSpec rename;
  rename.name = "rename";
  rename.arity = 3;
  rename.flags = server::kWrite;
  rename.first_key = 1;
  rename.last_key = 2;
  rename.step = 1;
  rename.acl_categories = server::AclCategory::kKeyspace;
  rename.key_spec_flags = {
      server::KeySpecFlag::kRW | server::KeySpecFlag::kAccess | server::KeySpecFlag::kDelete,
      server::KeySpecFlag::kOW | server::KeySpecFlag::kUpdate};
  reply = protocol::ReplyBuilder();
  server::ReplyCommandInfo(rename, reply);
  EXPECT_EQ(reply.buffer(), kInfoRename);

  server::CommandSpec mset;
  mset.name = "mset";
  mset.arity = -3;
  mset.flags = server::kWrite | server::kDenyOom;
  mset.first_key = 1;
  mset.last_key = -1;
  mset.step = 2;
  mset.acl_categories = server::AclCategory::kString;
  mset.key_spec_flags = {server::KeySpecFlag::kOW | server::KeySpecFlag::kUpdate};
  mset.tips = {"request_policy:multi_shard", "response_policy:all_succeeded"};
  reply.Clear();
  server::ReplyCommandInfo(mset, reply);
  EXPECT_EQ(reply.buffer(), kInfoMset);
}

TEST_F(ServerTest, AclCategoriesFollowRedisOrder) {
  server::CommandSpec flushall;
  flushall.flags = server::kWrite;
  flushall.acl_categories = server::AclCategory::kKeyspace | server::AclCategory::kDangerous;
  EXPECT_EQ(server::AclCategories(flushall),
            (std::vector<std::string_view>{"@keyspace", "@write", "@slow", "@dangerous"}));
  server::CommandSpec admin;
  admin.flags = server::kAdmin | server::kNoScript;
  admin.acl_categories = server::AclCategory::kConnection | server::AclCategory::kDangerous;
  EXPECT_EQ(server::AclCategories(admin),
            (std::vector<std::string_view>{"@admin", "@slow", "@dangerous", "@connection"}));
  server::CommandSpec blocking;
  blocking.flags = server::kWrite | server::kBlocking;
  blocking.acl_categories = server::AclCategory::kList;
  EXPECT_EQ(server::AclCategories(blocking),
            (std::vector<std::string_view>{"@write", "@list", "@slow", "@blocking"}));
}

TEST_F(ServerTest, CommandInfoUnknownNamesAreNil) {
  RespValue v = Run({"command", "info", "nosuch", "get", "config|nosuch", "get|x"});
  ASSERT_THAT(v, ArrayOfSize(4));
  EXPECT_THAT(v[0], IsNil());
  EXPECT_EQ(v[1][0], "get");
  EXPECT_THAT(v[2], IsNil());
  EXPECT_THAT(v[3], IsNil());
  Run({"hello", "3"});
  EXPECT_EQ(RunRaw({"command", "info", "nosuch"}), "*1\r\n_\r\n");
}

TEST_F(ServerTest, CommandInfoOfContainerNestsSubcommands) {
  RespValue v = Run({"command", "info", "config"});
  ASSERT_THAT(v, ArrayOfSize(1));
  const RespValue& config = v[0];
  ASSERT_THAT(config, ArrayOfSize(10));
  EXPECT_EQ(config[0], "config");
  EXPECT_THAT(config[1], IsInt(-2));
  EXPECT_THAT(config[2], ArrayOfSize(0));
  EXPECT_THAT(config[6], StrArray(std::vector<std::string>{"@slow"}));
  std::vector<std::string> subs;
  for (const RespValue& sub : config[9].elems) subs.push_back(sub[0].str);
  EXPECT_THAT(subs, ::testing::UnorderedElementsAre("config|get", "config|set", "config|resetstat",
                                                    "config|rewrite", "config|help"));
}

TEST_F(ServerTest, CommandCountAndAll) {
  size_t count = server().commands().all().size();
  EXPECT_THAT(Run({"command", "count"}), IsInt(count));
  EXPECT_THAT(Run({"command", "info"}), ArrayOfSize(count));
  // COMMAND alone is COMMAND INFO of everything.
  RespValue all = Run({"command"});
  ASSERT_THAT(all, ArrayOfSize(count));
  std::vector<std::string> names;
  for (const RespValue& e : all.elems) names.push_back(e[0].str);
  EXPECT_THAT(names, Contains("get"));
  EXPECT_THAT(names, Contains("client"));
  EXPECT_THAT(names, Not(Contains("client|list")));
}

TEST_F(ServerTest, CommandUnknownSubcommand) {
  EXPECT_THAT(Run({"command", "foo"}), ErrorIs("ERR unknown subcommand 'foo'. Try COMMAND HELP."));
}

// ---- COMMAND LIST ----

TEST_F(ServerTest, CommandListHasCommandsAndSubcommands) {
  RespValue v = Run({"command", "list"});
  std::vector<std::string> names = v.Strings();
  EXPECT_THAT(names, Contains("get"));
  EXPECT_THAT(names, Contains("config"));
  EXPECT_THAT(names, Contains("config|get"));
  EXPECT_THAT(names, Contains("client|setinfo"));
  size_t total = 0;
  for (const auto& [name, spec] : server().commands().all()) total += 1 + spec.subcommands.size();
  EXPECT_EQ(names.size(), total);
}

TEST_F(ServerTest, CommandListFilters) {
  EXPECT_THAT(
      Run({"command", "list", "filterby", "pattern", "CONFIG*"}),
      StrSet(std::vector<std::string>{"config", "config|get", "config|set", "config|resetstat",
                                      "config|rewrite", "config|help"}));
  EXPECT_THAT(Run({"command", "list", "filterby", "pattern", "config|?et"}),
              StrSet(std::vector<std::string>{"config|get", "config|set"}));
  RespValue conn = Run({"command", "list", "filterby", "aclcat", "connection"});
  EXPECT_THAT(conn.Strings(), Contains("ping"));
  EXPECT_THAT(conn.Strings(), Contains("client|id"));
  EXPECT_THAT(conn.Strings(), Contains("command"));
  EXPECT_THAT(conn.Strings(), Not(Contains("client")));  // the container is only @slow
  EXPECT_THAT(conn.Strings(), Not(Contains("get")));
  RespValue dangerous = Run({"command", "list", "filterby", "aclcat", "DANGEROUS"});
  EXPECT_THAT(dangerous.Strings(), Contains("config|set"));
  EXPECT_THAT(dangerous.Strings(), Contains("info"));
  EXPECT_EQ(RunRaw({"command", "list", "filterby", "aclcat", "nosuch"}), "*0\r\n");
  EXPECT_EQ(RunRaw({"command", "list", "filterby", "module", "json"}), "*0\r\n");
  EXPECT_THAT(Run({"command", "list", "filterby", "foo", "x"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"command", "list", "filterby"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"command", "list", "foo"}), ErrorIs("ERR syntax error"));
}

// ---- COMMAND DOCS ----

TEST_F(ServerTest, CommandDocsMatchesRedis) {
  EXPECT_EQ(RunRaw({"command", "docs", "client|id", "time"}),
            "*4\r\n$9\r\nclient|id\r\n*8\r\n$7\r\nsummary\r\n$48\r\nReturns the client ID for "
            "the current connection\r\n$5\r\nsince\r\n$5\r\n5.0.0\r\n$5\r\ngroup\r\n$10\r\n"
            "connection\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$4\r\ntime\r\n*8\r\n$7\r\n"
            "summary\r\n$30\r\nReturn the current server time\r\n$5\r\nsince\r\n$5\r\n2.6.0\r\n"
            "$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n");
  EXPECT_EQ(RunRaw({"command", "docs", "CONFIG|RESETSTAT"}),
            "*2\r\n$16\r\nconfig|resetstat\r\n*8\r\n$7\r\nsummary\r\n$32\r\nReset the stats "
            "returned by INFO\r\n$5\r\nsince\r\n$5\r\n2.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n"
            "$10\r\ncomplexity\r\n$4\r\nO(1)\r\n");
  EXPECT_EQ(RunRaw({"command", "docs", "nosuch"}), "*0\r\n");
  Run({"hello", "3"});
  EXPECT_EQ(RunRaw({"command", "docs", "nosuch"}), "%0\r\n");
}

TEST_F(ServerTest, CommandDocsOfContainerHasSubcommandMap) {
  Run({"hello", "3"});
  RespValue v = Run({"command", "docs", "config"});
  ASSERT_EQ(v.kind, RespValue::Kind::kMap);
  const RespValue* config = v.Get("config");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(*config->Get("summary"), "A container for server configuration commands");
  EXPECT_EQ(*config->Get("since"), "2.0.0");
  EXPECT_EQ(*config->Get("group"), "server");
  EXPECT_EQ(*config->Get("complexity"), "Depends on subcommand.");
  const RespValue* subs = config->Get("subcommands");
  ASSERT_NE(subs, nullptr);
  ASSERT_EQ(subs->kind, RespValue::Kind::kMap);
  ASSERT_NE(subs->Get("config|get"), nullptr);
  EXPECT_EQ(*subs->Get("config|get")->Get("summary"), "Get the values of configuration parameters");
}

TEST_F(ServerTest, CommandDocsOfEverything) {
  RespValue v = Run({"command", "docs"});
  EXPECT_EQ(v.size(), 2 * server().commands().all().size());
  // Every command has a summary, since and group, as redis-cli expects.
  for (size_t i = 0; i + 1 < v.size(); i += 2) {
    const RespValue& docs = v[i + 1];
    EXPECT_NE(docs.Get("group"), nullptr) << v[i].str;
    EXPECT_NE(docs.Get("summary"), nullptr) << v[i].str;
    EXPECT_NE(docs.Get("since"), nullptr) << v[i].str;
  }
}

TEST_F(ServerTest, CommandDocsSetMatchesRedisWithArguments) {
  EXPECT_EQ(RunRaw({"command", "docs", "set"}), kDocsSet);
  Run({"hello", "3"});
  EXPECT_EQ(RunRaw({"command", "docs", "set"}), kDocsSetResp3);
}

// Every row documents itself as Redis's command JSON does: summary, since,
// group, complexity, and an argument tree whenever the command takes
// arguments beyond its name, with key arguments pointing at key specs.
TEST_F(ServerTest, EveryCommandHasDocsWithArguments) {
  // Redis 7.0 documents no arguments for these (7.2 does); stashd's docs are 7.0's.
  const std::set<std::string> kUndocumentedIn70 = {"command|getkeys", "command|getkeysandflags"};
  // Redis 7.0 gives these no complexity.
  const std::set<std::string> kNoComplexityIn70 = {"monitor"};
  auto count_keys = [](const std::vector<server::CommandArg>& args, auto& self) -> int {
    int n = 0;
    for (const server::CommandArg& a : args) {
      n += a.type == server::ArgType::kKey ? 1 : 0;
      n += self(a.arguments, self);
    }
    return n;
  };
  auto key_indexes_valid = [](const server::CommandSpec& spec,
                              const std::vector<server::CommandArg>& args, auto& self) -> bool {
    int specs = static_cast<int>(std::max<size_t>(1, server::KeySpecsOf(spec).size()));
    for (const server::CommandArg& a : args) {
      if (a.type == server::ArgType::kKey && (a.key_spec_index < 0 || a.key_spec_index >= specs)) {
        return false;
      }
      if (!self(spec, a.arguments, self)) return false;
    }
    return true;
  };
  auto check = [&](const server::CommandSpec& spec, int name_words) {
    SCOPED_TRACE(spec.name);
    EXPECT_FALSE(spec.summary.empty());
    EXPECT_FALSE(spec.since.empty());
    EXPECT_FALSE(spec.group.empty());
    EXPECT_EQ(spec.complexity.empty(), kNoComplexityIn70.contains(spec.name));
    const int min_args = spec.arity < 0 ? -spec.arity : spec.arity;
    if (!spec.subcommands.empty() && spec.handler == nullptr) {
      EXPECT_TRUE(spec.arguments.empty()) << "a container documents its subcommands instead";
    } else if (spec.arity == name_words) {
      EXPECT_TRUE(spec.arguments.empty()) << "takes no argument";
    } else if (min_args > name_words && !kUndocumentedIn70.contains(spec.name)) {
      EXPECT_FALSE(spec.arguments.empty()) << "takes arguments, documents none";
    }
    if (spec.HasKeys()) {
      EXPECT_GT(count_keys(spec.arguments, count_keys), 0);
    }
    EXPECT_TRUE(key_indexes_valid(spec, spec.arguments, key_indexes_valid));
  };
  size_t documented = 0;
  for (const auto& [name, spec] : server().commands().all()) {
    check(spec, 1);
    for (const server::CommandSpec& sub : spec.subcommands) check(sub, 2);
    documented += spec.arguments.empty() ? 0 : 1;
  }
  EXPECT_GT(documented, server().commands().all().size() / 2);

  // And COMMAND DOCS shows them.
  Run({"hello", "3"});
  RespValue v = Run({"command", "docs", "getex"});
  const RespValue* args = v.Get("getex")->Get("arguments");
  ASSERT_NE(args, nullptr);
  ASSERT_EQ(args->size(), 2u);
  EXPECT_EQ(*(*args)[0].Get("name"), "key");
  EXPECT_EQ(*(*args)[1].Get("type"), "oneof");
}

// ---- MEMORY ----

TEST_F(ServerTest, MemoryUsage) {
  EXPECT_EQ(RunRaw({"set", "k", "v"}), "+OK\r\n");
  // The entry's 32-byte malloc block and its index slots.
  EXPECT_EQ(RunRaw({"memory", "usage", "k"}), ":56\r\n");
  EXPECT_EQ(RunRaw({"memory", "usage", "k", "samples", "0"}), ":56\r\n");
  EXPECT_EQ(RunRaw({"set", "big", std::string(1000, 'x')}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"memory", "usage", "big"}), ":1048\r\n");
  EXPECT_EQ(RunRaw({"memory", "usage", "nokey"}), "$-1\r\n");
  EXPECT_THAT(Run({"memory", "usage", "k", "samples", "-1"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"memory", "usage", "k", "samples"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"memory", "usage", "k", "foo", "1"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"memory", "usage", "k", "samples", "x"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_EQ(RunRaw({"memory", "purge"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"memory", "malloc-stats"}),
            "$45\r\nStats not supported for the current allocator\r\n");
}

// ---- COMMAND GETKEYS ----

TEST_F(ServerTest, CommandGetKeys) {
  EXPECT_THAT(Run({"command", "getkeys", "get", "a"}), StrArray(std::vector<std::string>{"a"}));
  EXPECT_THAT(Run({"command", "getkeys", "set", "k", "v", "EX", "10"}),
              StrArray(std::vector<std::string>{"k"}));
  EXPECT_THAT(Run({"command", "getkeys", "mset", "a", "1", "b", "2"}),
              StrArray(std::vector<std::string>{"a", "b"}));
  EXPECT_THAT(Run({"command", "getkeys", "MSET", "a", "1", "b"}),
              StrArray(std::vector<std::string>{"a", "b"}));
  EXPECT_THAT(Run({"command", "getkeys", "del", "x", "y", "z"}),
              StrArray(std::vector<std::string>{"x", "y", "z"}));
  EXPECT_THAT(Run({"command", "getkeys", "rename", "a", "b"}),
              StrArray(std::vector<std::string>{"a", "b"}));
}

TEST_F(ServerTest, CommandGetKeysErrors) {
  EXPECT_THAT(Run({"command", "getkeys", "nosuch", "a"}), ErrorIs("ERR Invalid command specified"));
  EXPECT_THAT(Run({"command", "getkeys", "ping", "x"}),
              ErrorIs("ERR The command has no key arguments"));
  EXPECT_THAT(Run({"command", "getkeys", "config", "get", "x"}),
              ErrorIs("ERR The command has no key arguments"));
  EXPECT_THAT(Run({"command", "getkeys", "config", "nosuch", "x"}),
              ErrorIs("ERR Invalid command specified"));
  EXPECT_THAT(Run({"command", "getkeys", "get", "a", "b"}),
              ErrorIs("ERR Invalid number of arguments specified for command"));
  EXPECT_THAT(Run({"command", "getkeys", "get"}),
              ErrorIs("ERR wrong number of arguments for 'command|getkeys' command"));
}

TEST_F(ServerTest, CommandGetKeysAndFlags) {
  EXPECT_EQ(RunRaw({"command", "getkeysandflags", "get", "a"}),
            "*1\r\n*2\r\n$1\r\na\r\n*2\r\n+RO\r\n+access\r\n");
  EXPECT_EQ(RunRaw({"command", "getkeysandflags", "mset", "a", "b", "c", "d"}),
            "*2\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n*2\r\n$1\r\nc\r\n*2\r\n+OW\r\n"
            "+update\r\n");
  EXPECT_EQ(RunRaw({"command", "getkeysandflags", "rename", "a", "b"}),
            "*2\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+delete\r\n*2\r\n$1\r\nb\r\n*2\r\n"
            "+OW\r\n+update\r\n");
  // A key whose flags vary with the line shows this line's (Redis's getkeys
  // functions): SET without GET overwrites, with GET reads too.
  EXPECT_EQ(RunRaw({"command", "getkeysandflags", "set", "k1", "v1"}),
            "*1\r\n*2\r\n$2\r\nk1\r\n*2\r\n+OW\r\n+update\r\n");
  EXPECT_EQ(RunRaw({"command", "getkeysandflags", "set", "k", "v", "get"}),
            "*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n");
  EXPECT_EQ(RunRaw({"command", "getkeysandflags", "bitfield", "k", "get", "u8", "0"}),
            "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+RO\r\n+access\r\n");
  EXPECT_EQ(RunRaw({"command", "getkeysandflags", "lmove", "k1", "k2", "left", "right"}),
            "*2\r\n*2\r\n$2\r\nk1\r\n*3\r\n+RW\r\n+access\r\n+delete\r\n*2\r\n$2\r\n"
            "k2\r\n*2\r\n+RW\r\n+insert\r\n");
  EXPECT_EQ(RunRaw({"command", "getkeysandflags", "sort", "k1", "store", "k2"}),
            "*2\r\n*2\r\n$2\r\nk1\r\n*2\r\n+RO\r\n+access\r\n*2\r\n$2\r\nk2\r\n*2\r\n"
            "+OW\r\n+update\r\n");
  Run({"hello", "3"});
  EXPECT_EQ(RunRaw({"command", "getkeysandflags", "get", "a"}),
            "*1\r\n*2\r\n$1\r\na\r\n~2\r\n+RO\r\n+access\r\n");
}

// EVAL and FCALL may name no keys (Redis's no_mandatory_keys): an empty
// array; other commands whose key specs find nothing get an error.
TEST_F(ServerTest, CommandGetKeysWithoutKeys) {
  EXPECT_EQ(RunRaw({"command", "getkeys", "eval", "return 1", "0"}), "*0\r\n");
  EXPECT_EQ(RunRaw({"command", "getkeys", "fcall", "f", "0"}), "*0\r\n");
  EXPECT_EQ(RunRaw({"command", "getkeysandflags", "evalsha_ro", "abc", "0"}), "*0\r\n");
  EXPECT_EQ(RunRaw({"command", "getkeys", "zunionstore", "dst", "0", "x"}),
            "-ERR Invalid arguments specified for command\r\n");
}

TEST_F(ServerTest, CommandHelp) {
  RespValue help = Run({"command", "help"});
  ASSERT_THAT(help, ArrayOfSize(21));
  EXPECT_EQ(help[0], "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  EXPECT_EQ(help[20], "    Prints this help.");
}

// ---- INFO ----

TEST_F(ServerTest, InfoDefaultSectionsInRedisOrder) {
  RespValue v = Run({"info"});
  EXPECT_EQ(v.kind, RespValue::Kind::kBulk);
  EXPECT_EQ(v.str.substr(0, 32), "# Server\r\nredis_version:7.0.15\r\n");
  EXPECT_EQ(Titles(v.str), (std::vector<std::string>{
                               "Server", "Clients", "Memory", "Persistence", "Stats", "Replication",
                               "CPU", "Modules", "Errorstats", "Cluster", "Keyspace", "Scopes"}));
  EXPECT_EQ(Run({"info", "default"}).str.substr(0, 8), "# Server");
  EXPECT_EQ(Titles(Run({"info", "all"}).str),
            (std::vector<std::string>{"Server", "Clients", "Memory", "Persistence", "Stats",
                                      "Replication", "CPU", "Modules", "Commandstats", "Errorstats",
                                      "Latencystats", "Cluster", "Keyspace", "Scopes"}));
  EXPECT_EQ(Titles(Run({"info", "everything"}).str), Titles(Run({"info", "all"}).str));
}

TEST_F(ServerTest, InfoSelectedSections) {
  // Redis's order, not the order asked.
  EXPECT_EQ(Titles(Run({"info", "CPU", "server"}).str),
            (std::vector<std::string>{"Server", "CPU"}));
  EXPECT_EQ(Titles(Run({"info", "commandstats", "default"}).str).size(), 13u);
  EXPECT_EQ(RunRaw({"info", "nosuch"}), "$0\r\n\r\n");
  EXPECT_EQ(RunRaw({"info", "cluster"}), "$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n");
  EXPECT_EQ(RunRaw({"info", "keyspace"}), "$12\r\n# Keyspace\r\n\r\n");
  EXPECT_EQ(RunRaw({"info", "modules"}), "$11\r\n# Modules\r\n\r\n");
}

// As redis-server 7.0.15 counts them: by the error's first word, "ERR" when
// it has no space in its first 32 bytes; in code order; CONFIG RESETSTAT
// clears them.
TEST_F(ServerTest, InfoErrorstatsCountsErrorsByCode) {
  EXPECT_EQ(RunRaw({"info", "errorstats"}), "$14\r\n# Errorstats\r\n\r\n");
  Run({"eval", "return redis.error_reply('MY_ERR x')", "0"});
  Run({"eval", "return redis.error_reply('')", "0"});
  Run({"get"});
  Run({"set", "a", "b"});
  Run({"lpush", "a", "x"});
  Run({"eval", "return redis.error_reply('NOSPACEVERYLONGNAMEEEEEEEEEEEEEEEEEEEEEEEEE')", "0"});
  Run({"multi"});
  Run({"nosuchcommand"});
  Run({"exec"});
  EXPECT_EQ(Run({"info", "errorstats"}).str,
            "# Errorstats\r\nerrorstat_ERR:count=4\r\nerrorstat_EXECABORT:count=1\r\n"
            "errorstat_MY_ERR:count=1\r\nerrorstat_WRONGTYPE:count=1\r\n");
  EXPECT_EQ(InfoSection("stats")["total_error_replies"], "7");
  Run({"config", "resetstat"});
  EXPECT_EQ(RunRaw({"info", "errorstats"}), "$14\r\n# Errorstats\r\n\r\n");
}

TEST_F(ServerTest, InfoIsVerbatimInResp3) {
  Run({"hello", "3"});
  EXPECT_EQ(RunRaw({"info", "cluster"}), "=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n");
}

TEST_F(ServerTest, InfoServer) {
  server().set_tcp_port(7777);
  AdvanceTime(90'500);
  auto f = InfoSection("server");
  EXPECT_EQ(f["redis_version"], "7.0.15");
  EXPECT_EQ(f["stashd_version"], STASHD_VERSION);
  EXPECT_EQ(f["redis_mode"], "standalone");
  EXPECT_EQ(f["arch_bits"], std::to_string(sizeof(void*) * 8));
  EXPECT_EQ(f["process_id"], std::to_string(getpid()));
  EXPECT_EQ(f["run_id"], server().run_id());
  EXPECT_EQ(f["run_id"].size(), 40u);
  EXPECT_EQ(f["tcp_port"], "7777");
  EXPECT_EQ(f["uptime_in_seconds"], "90");
  EXPECT_EQ(f["uptime_in_days"], "0");
  EXPECT_EQ(f["hz"], "10");
  EXPECT_EQ(f["server_time_usec"], std::to_string(NowMs() * 1000));
  // Seconds modulo 2^24, the time OBJECT IDLETIME measures from.
  EXPECT_EQ(f["lru_clock"], std::to_string((NowMs() / 1000) % (1 << 24)));
  EXPECT_EQ(f["config_file"], "");
  EXPECT_FALSE(f["os"].empty());
  for (const char* key : {"executable", "io_threads_active", "multiplexing_api", "gcc_version"}) {
    EXPECT_EQ(f.count(key), 1u) << key;
  }
}

TEST_F(ServerTest, InfoClientsAndMemory) {
  NewClient();
  auto clients = InfoSection("clients");
  EXPECT_EQ(clients["connected_clients"], "2");
  EXPECT_EQ(clients["maxclients"], "10000");
  EXPECT_EQ(clients["blocked_clients"], "0");
  auto memory = InfoSection("memory");
  EXPECT_GT(std::stoll(memory["used_memory"]), 0);
  EXPECT_GT(std::stoll(memory["used_memory_rss"]), 0);
  EXPECT_EQ(memory["maxmemory"], "0");
  EXPECT_EQ(memory["maxmemory_human"], "0B");
  EXPECT_EQ(memory["maxmemory_policy"], "noeviction");
  const std::string& human = memory["used_memory_human"];
  ASSERT_FALSE(human.empty());
  EXPECT_NE(std::string("BKMGTP").find(human.back()), std::string::npos) << human;
  auto persistence = InfoSection("persistence");
  EXPECT_EQ(persistence["loading"], "0");
  auto replication = InfoSection("replication");
  EXPECT_EQ(replication["role"], "master");
  EXPECT_EQ(replication["connected_slaves"], "0");
  // What Redis 7.0 reports for a master without replicas.
  EXPECT_EQ(replication["master_repl_offset"], "0");
  EXPECT_EQ(replication["second_repl_offset"], "-1");
  EXPECT_EQ(replication["repl_backlog_active"], "0");
  EXPECT_EQ(replication["master_replid"].size(), 40u);
  EXPECT_EQ(replication["master_replid"], InfoSection("replication")["master_replid"]);
  EXPECT_EQ(replication["master_replid2"], std::string(40, '0'));
  auto cpu = InfoSection("cpu");
  EXPECT_EQ(cpu.count("used_cpu_sys"), 1u);
  EXPECT_EQ(cpu.count("used_cpu_user"), 1u);
}

// INFO memory has Redis 7.0's fields in Redis's order, less the two stashd
// has nothing for (used_memory_vm_functions: one Lua state serves EVAL and
// FUNCTION; lazyfreed_objects), and its figures agree with each other.
TEST_F(ServerTest, InfoMemoryFieldsAreRedisesInOrder) {
  RespValue v = Run({"info", "memory"});
  std::vector<std::string> names;
  for (absl::string_view line : absl::StrSplit(v.str, "\r\n", absl::SkipEmpty())) {
    if (line[0] == '#') continue;
    names.emplace_back(line.substr(0, line.find(':')));
  }
  const std::vector<std::string> redis = {"used_memory",
                                          "used_memory_human",
                                          "used_memory_rss",
                                          "used_memory_rss_human",
                                          "used_memory_peak",
                                          "used_memory_peak_human",
                                          "used_memory_peak_perc",
                                          "used_memory_overhead",
                                          "used_memory_startup",
                                          "used_memory_dataset",
                                          "used_memory_dataset_perc",
                                          "allocator_allocated",
                                          "allocator_active",
                                          "allocator_resident",
                                          "total_system_memory",
                                          "total_system_memory_human",
                                          "used_memory_lua",
                                          "used_memory_vm_eval",
                                          "used_memory_lua_human",
                                          "used_memory_scripts_eval",
                                          "number_of_cached_scripts",
                                          "number_of_functions",
                                          "number_of_libraries",
                                          "used_memory_vm_total",
                                          "used_memory_vm_total_human",
                                          "used_memory_functions",
                                          "used_memory_scripts",
                                          "used_memory_scripts_human",
                                          "maxmemory",
                                          "maxmemory_human",
                                          "maxmemory_policy",
                                          "allocator_frag_ratio",
                                          "allocator_frag_bytes",
                                          "allocator_rss_ratio",
                                          "allocator_rss_bytes",
                                          "rss_overhead_ratio",
                                          "rss_overhead_bytes",
                                          "mem_fragmentation_ratio",
                                          "mem_fragmentation_bytes",
                                          "mem_not_counted_for_evict",
                                          "mem_replication_backlog",
                                          "mem_total_replication_buffers",
                                          "mem_clients_slaves",
                                          "mem_clients_normal",
                                          "mem_cluster_links",
                                          "mem_aof_buffer",
                                          "mem_allocator",
                                          "active_defrag_running",
                                          "lazyfree_pending_objects",
                                          "lazyfreed_objects"};
  EXPECT_EQ(names, redis);
  auto m = InfoSection("memory");
  const int64_t used = std::stoll(m["used_memory"]);
  EXPECT_GE(std::stoll(m["used_memory_peak"]), used);
  EXPECT_EQ(std::stoll(m["used_memory_overhead"]) + std::stoll(m["used_memory_dataset"]), used);
  EXPECT_GT(std::stoll(m["mem_clients_normal"]), 0);  // this test's client
  EXPECT_EQ(m["mem_clients_slaves"], "0");
  EXPECT_EQ(m["active_defrag_running"], "0");
}

// client_recent_max_*_buffer: the largest buffers the cron saw in the last
// 8 seconds; expired_stale_perc: Redis's running average.
TEST(ServerStatsTest, RecentMaxClientBuffersAndStalePercentage) {
  server::ServerStats st;
  EXPECT_EQ(st.RecentMaxClientBuffers(), std::make_pair(uint64_t{0}, uint64_t{0}));
  st.NoteClientBuffers(10'000, 500, 20);
  st.NoteClientBuffers(10'900, 100, 70);
  st.NoteClientBuffers(12'000, 300, 10);
  EXPECT_EQ(st.RecentMaxClientBuffers(), std::make_pair(uint64_t{500}, uint64_t{70}));
  st.NoteClientBuffers(17'999, 1, 1);  // second 17: seconds 10..17 still count
  EXPECT_EQ(st.RecentMaxClientBuffers(), std::make_pair(uint64_t{500}, uint64_t{70}));
  st.NoteClientBuffers(18'000, 1, 1);  // second 10 has left the window
  EXPECT_EQ(st.RecentMaxClientBuffers(), std::make_pair(uint64_t{300}, uint64_t{10}));
  st.NoteExpireCycle(50, 100);  // half the keys with a deadline were expired
  EXPECT_DOUBLE_EQ(st.expired_stale_perc.load(), 0.025);
  st.NoteExpireCycle(0, 1);
  EXPECT_DOUBLE_EQ(st.expired_stale_perc.load(), 0.025 * 0.95);
}

TEST_F(ServerTest, InfoStatsAndKeyspace) {
  Run({"set", "a", "1"});
  Run({"set", "b", "2", "EX", "100"});
  Run({"select", "3"});
  Run({"set", "c", "3"});
  Run({"get", "c"});
  Run({"get", "nosuch"});
  Run({"select", "0"});
  std::string keyspace =
      "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n";
  EXPECT_EQ(RunRaw({"info", "keyspace"}),
            "$" + std::to_string(keyspace.size()) + "\r\n" + keyspace + "\r\n");
  auto stats = InfoSection("stats");
  EXPECT_EQ(stats["keyspace_hits"], "1");
  EXPECT_EQ(stats["keyspace_misses"], "1");
  EXPECT_EQ(stats["total_commands_processed"], "8");
  EXPECT_EQ(stats["expired_keys"], "0");
  EXPECT_EQ(stats["total_error_replies"], "0");
  Run({"get"});
  Run({"incr", "nosuch-but-string-a"});
  Run({"set", "s", "x"});
  Run({"incr", "s"});
  stats = InfoSection("stats");
  EXPECT_EQ(stats["total_error_replies"], "2");
  AdvanceTime(101'000);
  Run({"get", "b"});
  EXPECT_EQ(InfoSection("stats")["expired_keys"], "1");
}

TEST_F(ServerTest, InfoCommandStats) {
  Run({"set", "a", "1"});
  Run({"set", "a", "2"});
  Run({"get"});
  Run({"config", "get", "maxclients"});
  Run({"auth", "x"});
  auto f = InfoSection("commandstats");
  ASSERT_EQ(f.count("cmdstat_set"), 1u);
  EXPECT_EQ(f["cmdstat_set"].rfind("calls=2,usec=", 0), 0u) << f["cmdstat_set"];
  EXPECT_NE(f["cmdstat_set"].find(",rejected_calls=0,failed_calls=0"), std::string::npos);
  EXPECT_NE(f["cmdstat_set"].find(",usec_per_call="), std::string::npos);
  EXPECT_NE(f["cmdstat_get"].find("calls=0,"), std::string::npos);
  EXPECT_NE(f["cmdstat_get"].find(",rejected_calls=1,failed_calls=0"), std::string::npos);
  EXPECT_NE(f["cmdstat_config|get"].find("calls=1,"), std::string::npos);
  EXPECT_NE(f["cmdstat_auth"].find(",rejected_calls=0,failed_calls=1"), std::string::npos);
  EXPECT_EQ(f.count("cmdstat_config"), 0u);
  EXPECT_EQ(f.count("cmdstat_ping"), 0u);
}

// ---- CONFIG ----

TEST_F(ServerTest, ConfigGet) {
  EXPECT_EQ(RunRaw({"config", "get", "maxclients"}), "*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n");
  // An exact name comes back as it was spelled.
  EXPECT_EQ(RunRaw({"config", "get", "MAXCLIENTS"}), "*2\r\n$10\r\nMAXCLIENTS\r\n$5\r\n10000\r\n");
  EXPECT_EQ(RunRaw({"config", "get", "nosuch"}), "*0\r\n");
  EXPECT_THAT(Run({"config", "get", "max*", "timeout", "maxclients"}),
              StrArray(std::vector<std::string>{
                  "maxclients", "10000", "maxmemory", "0", "maxmemory-policy", "noeviction",
                  "maxmemory-samples", "5", "maxmemory-clients", "0", "timeout", "0"}));
  EXPECT_THAT(Run({"config", "get", "*"}),
              ArrayOfSize(2 * server().config_table().Match("*").size()));
  EXPECT_THAT(Run({"config", "get"}),
              ErrorIs("ERR wrong number of arguments for 'config|get' command"));
  Run({"hello", "3"});
  EXPECT_EQ(RunRaw({"config", "get", "timeout"}), "%1\r\n$7\r\ntimeout\r\n$1\r\n0\r\n");
}

TEST_F(ServerTest, ConfigSetRoundTrip) {
  EXPECT_EQ(RunRaw({"config", "set", "maxclients", "123"}), "+OK\r\n");
  EXPECT_THAT(Run({"config", "get", "maxclients"}),
              StrArray(std::vector<std::string>{"maxclients", "123"}));
  EXPECT_EQ(server().config().maxclients.load(), 123);
  EXPECT_EQ(Run({"config", "set", "TIMEOUT", "30", "hz", "20"}), "OK");
  EXPECT_EQ(server().config().timeout_s.load(), 30);
  EXPECT_EQ(server().config().hz.load(), 20);
  EXPECT_EQ(InfoSection("server")["hz"], "20");
  EXPECT_EQ(InfoSection("clients")["maxclients"], "123");
}

TEST_F(ServerTest, ConfigSetErrors) {
  EXPECT_THAT(Run({"config", "set", "foo", "1"}),
              ErrorIs("ERR Unknown option or number of arguments for CONFIG SET - 'foo'"));
  EXPECT_THAT(Run({"config", "set", "maxclients", "abc"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument 'maxclients') - "
                      "argument couldn't be parsed into an integer"));
  EXPECT_THAT(Run({"config", "set", "timeout", "1", "TIMEOUT", "2"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument 'TIMEOUT') - "
                      "duplicate parameter"));
  EXPECT_THAT(Run({"config", "set", "protected-mode", "maybe"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument 'protected-mode') - "
                      "argument must be 'yes' or 'no'"));
  EXPECT_THAT(Run({"config", "set", "databases", "7"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument 'databases') - can't "
                      "set immutable config"));
  EXPECT_THAT(Run({"config", "set", "timeout", "1", "maxclients"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"config", "set", "timeout"}),
              ErrorIs("ERR wrong number of arguments for 'config|set' command"));
  // An unknown name anywhere means nothing is applied.
  EXPECT_THAT(Run({"config", "set", "timeout", "5", "foo", "1"}),
              ErrorIs("ERR Unknown option or number of arguments for CONFIG SET - 'foo'"));
  EXPECT_EQ(server().config().timeout_s.load(), 0);
}

TEST_F(ServerTest, ConfigSetIsAllOrNothing) {
  EXPECT_THAT(Run({"config", "set", "timeout", "5", "hz", "7", "maxclients", "abc"}),
              ErrorStartsWith("ERR CONFIG SET failed (possibly related to argument 'maxclients')"));
  EXPECT_EQ(server().config().timeout_s.load(), 0);
  EXPECT_EQ(server().config().hz.load(), 10);
}

TEST_F(ServerTest, ConfigSetRequirepassTakesEffect) {
  EXPECT_EQ(Run({"config", "set", "requirepass", "pw"}), "OK");
  TestClient& other = NewClient();
  EXPECT_THAT(Run(other, {"ping"}), ErrorIs("NOAUTH Authentication required."));
  EXPECT_EQ(Run(other, {"auth", "pw"}), "OK");
  EXPECT_EQ(Run(other, {"config", "set", "requirepass", ""}), "OK");
  EXPECT_EQ(Run(NewClient(), {"ping"}), "PONG");
}

// The facts of a server without replicas, forks or MIGRATE, and the
// counters stashd keeps, in Redis's INFO stats / cpu fields.
TEST_F(ServerTest, InfoStatsAndCpuFieldsRedisHas) {
  auto stats = InfoSection("stats");
  for (const char* zero :
       {"total_net_repl_input_bytes", "total_net_repl_output_bytes", "sync_full", "sync_partial_ok",
        "sync_partial_err", "latest_fork_usec", "total_forks", "migrate_cached_sockets",
        "slave_expires_tracked_keys", "expired_time_cap_reached_count", "total_reads_processed",
        "total_writes_processed", "io_threaded_reads_processed", "io_threaded_writes_processed"}) {
    EXPECT_EQ(stats[zero], "0") << zero;  // no connection in the dispatcher fixture
  }
  EXPECT_EQ(stats["instantaneous_ops_per_sec"], "0");
  EXPECT_EQ(stats["instantaneous_input_kbps"], "0.00");
  EXPECT_EQ(stats["instantaneous_input_repl_kbps"], "0.00");
  EXPECT_EQ(stats.count("expire_cycle_cpu_milliseconds"), 1u);
  auto cpu = InfoSection("cpu");
  for (const char* key : {"used_cpu_sys_main_thread", "used_cpu_user_main_thread"}) {
    ASSERT_EQ(cpu.count(key), 1u) << key;
    EXPECT_NE(cpu[key].find('.'), std::string::npos) << cpu[key];
  }
  EXPECT_EQ(InfoSection("server")["monotonic_clock"], "POSIX clock_gettime");

  // Reads and writes counted on this (the main) thread are not io-threaded.
  server().stats().CountRead();
  server().stats().CountWrite();
  std::thread([this] { server().stats().CountRead(); }).join();
  stats = InfoSection("stats");
  EXPECT_EQ(stats["total_reads_processed"], "2");
  EXPECT_EQ(stats["io_threaded_reads_processed"], "1");
  EXPECT_EQ(stats["total_writes_processed"], "1");
  EXPECT_EQ(stats["io_threaded_writes_processed"], "0");
  Run({"config", "resetstat"});
  EXPECT_EQ(InfoSection("stats")["total_reads_processed"], "0");
}

// instantaneous_*: the mean of the last 16 samples of the rate between two
// cron samples at least 100 ms apart, as Redis's trackInstantaneousMetric.
TEST_F(ServerTest, InstantaneousMetricsAverageSixteenSamples) {
  server::ServerStats& st = server().stats();
  st.SampleInstantaneous(1'000);  // the first sample only records the counters
  for (int i = 0; i < 500; ++i) st.total_commands_processed.fetch_add(1);
  st.total_net_input_bytes.fetch_add(51'200);
  st.SampleInstantaneous(1'050);  // under 100 ms: not a sample
  st.SampleInstantaneous(1'100);  // 500 commands in 100 ms: 5000/s; 50 KiB: 500 KiB/s
  server::ServerStats::Instantaneous m = st.InstantaneousMetrics();
  EXPECT_DOUBLE_EQ(m.ops_per_sec, 5000.0 / 16);
  EXPECT_DOUBLE_EQ(m.input_kbps, 500.0 / 16);
  EXPECT_DOUBLE_EQ(m.output_kbps, 0);
  for (int i = 1; i <= 16; ++i) {
    for (int j = 0; j < 100; ++j) st.total_commands_processed.fetch_add(1);
    st.SampleInstantaneous(1'100 + i * 100);  // 1000/s, pushing the 5000 out
  }
  EXPECT_DOUBLE_EQ(st.InstantaneousMetrics().ops_per_sec, 1000.0);
  EXPECT_EQ(InfoSection("stats")["instantaneous_ops_per_sec"], "1000");
}

TEST_F(ServerTest, ConfigResetStat) {
  Run({"set", "a", "1"});
  Run({"get", "a"});
  Run({"get", "b"});
  Run({"get"});
  Run({"auth", "x", "y"});
  EXPECT_EQ(RunRaw({"config", "resetstat"}), "+OK\r\n");
  auto stats = InfoSection("stats");
  EXPECT_EQ(stats["keyspace_hits"], "0");
  EXPECT_EQ(stats["keyspace_misses"], "0");
  EXPECT_EQ(stats["total_error_replies"], "0");
  EXPECT_EQ(stats["acl_access_denied_auth"], "0");
  // CONFIG RESETSTAT itself is counted once it has run, as in Redis.
  EXPECT_EQ(stats["total_commands_processed"], "1");
  auto cmdstats = InfoSection("commandstats");
  EXPECT_EQ(cmdstats.count("cmdstat_set"), 0u);
  EXPECT_EQ(cmdstats.count("cmdstat_get"), 0u);
  EXPECT_EQ(cmdstats.count("cmdstat_info"), 1u);
  Run({"get", "a"});
  EXPECT_EQ(InfoSection("stats")["keyspace_hits"], "1");
}

TEST_F(ServerTest, ConfigRewriteWithoutConfigFile) {
  EXPECT_THAT(Run({"config", "rewrite"}),
              ErrorIs("ERR The server is running without a config file"));
}

TEST_F(ServerTest, ConfigRewriteKeepsCommentsAndWritesCurrentValues) {
  std::string path =
      ::testing::TempDir() + "/stashd_rewrite_test_" + std::to_string(getpid()) + ".conf";
  {
    std::ofstream out(path);
    out << "# stashd test config\n"
        << "\n"
        << "maxclients 50\n"
        << "# the idle timeout\n"
        << "timeout 0\n"
        << "maxclients 60\n";
  }
  server().config().config_file = path;
  ASSERT_FALSE(server().config_table().LoadFile(path).has_value());
  EXPECT_EQ(server().config().maxclients.load(), 60);
  EXPECT_EQ(Run({"config", "set", "maxclients", "77", "timeout", "9", "hz", "15", "requirepass",
                 "with space"}),
            "OK");
  EXPECT_EQ(RunRaw({"config", "rewrite"}), "+OK\r\n");
  std::stringstream content;
  content << std::ifstream(path).rdbuf();
  EXPECT_EQ(content.str(),
            "# stashd test config\n"
            "\n"
            "maxclients 77\n"
            "# the idle timeout\n"
            "timeout 9\n"
            "# Generated by CONFIG REWRITE\n"
            "hz 15\n"
            "requirepass \"with space\"\n"
            // The fixture runs with dir set to the test's temporary directory.
            "dir " +
                server().config().dir + "\n");
  // The file reads back to the same configuration.
  server::Config reread;
  server::ConfigTable table(&reread);
  ASSERT_FALSE(table.LoadFile(path).has_value());
  EXPECT_EQ(reread.maxclients.load(), 77);
  EXPECT_EQ(reread.timeout_s.load(), 9);
  EXPECT_EQ(reread.hz.load(), 15);
  EXPECT_EQ(table.requirepass(), "with space");
  // A second rewrite changes nothing.
  EXPECT_EQ(Run({"config", "rewrite"}), "OK");
  std::stringstream again;
  again << std::ifstream(path).rdbuf();
  EXPECT_EQ(again.str(), content.str());
  std::remove(path.c_str());
}

// Hidden directives are left out of CONFIG GET patterns only: a changed one
// is written back like any other (as Redis rewrites its hidden configs).
TEST_F(ServerTest, ConfigRewriteWritesHiddenDirectives) {
  std::string path =
      ::testing::TempDir() + "/stashd_rewrite_hidden_" + std::to_string(getpid()) + ".conf";
  std::ofstream(path) << "scope-user-default-ttl 1h\n";
  server().config().config_file = path;
  ASSERT_FALSE(server().config_table().LoadFile(path).has_value());
  EXPECT_EQ(Run({"config", "set", "key-load-delay", "5"}), "OK");
  EXPECT_EQ(RunRaw({"config", "rewrite"}), "+OK\r\n");
  std::stringstream content;
  content << std::ifstream(path).rdbuf();
  EXPECT_EQ(content.str(),
            "scope-user-default-ttl 1h\n"
            "# Generated by CONFIG REWRITE\n"
            "dir " +
                server().config().dir +
                "\n"
                "key-load-delay 5\n");
  std::remove(path.c_str());
}

TEST_F(ServerTest, ConfigHelpAndUnknownSubcommand) {
  RespValue help = Run({"config", "help"});
  ASSERT_THAT(help, ArrayOfSize(11));
  EXPECT_EQ(help[0], "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  EXPECT_EQ(help[1], "GET <pattern>");
  EXPECT_THAT(Run({"config", "foo"}), ErrorIs("ERR unknown subcommand 'foo'. Try CONFIG HELP."));
  EXPECT_THAT(Run({"config"}), ErrorIs("ERR wrong number of arguments for 'config' command"));
}

// ---- TIME ----

TEST_F(ServerTest, Time) {
  clock_.Set(1'700'000'000'000);
  EXPECT_EQ(RunRaw({"time"}), "*2\r\n$10\r\n1700000000\r\n$1\r\n0\r\n");
  AdvanceTime(1'234);
  EXPECT_THAT(Run({"time"}), StrArray(std::vector<std::string>{"1700000001", "234000"}));
  Run({"hello", "3"});
  EXPECT_EQ(RunRaw({"time"}), "*2\r\n$10\r\n1700000001\r\n$6\r\n234000\r\n");
  EXPECT_THAT(Run({"time", "x"}), ErrorIs("ERR wrong number of arguments for 'time' command"));
}

}  // namespace
}  // namespace stashd::test
