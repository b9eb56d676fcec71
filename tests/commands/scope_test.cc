// Bot scopes (default TTL, value size limit) and DELPREFIX / prefix SCAN and
// KEYS through the dispatcher.
#include "commands/command_fixture.h"

namespace stashd::test {
namespace {

class ScopeCommandTest : public CommandTest {
 protected:
  ScopeCommandTest()
      : CommandTest([](server::Config& c) {
          c.scopes[0].default_ttl_ms = 86'400'000;  // state: 24 h
          c.scopes[1].max_value_size = 16;          // user: 16 bytes
        }) {}
};

TEST_F(ScopeCommandTest, StateKeysGetDefaultTtlWhenNoneGiven) {
  EXPECT_EQ(Run({"set", "state:bot1:s1", "{}"}), "OK");
  EXPECT_THAT(Run({"ttl", "state:bot1:s1"}), IsInt(86400));
  EXPECT_EQ(Run({"set", "state:bot1:s2", "{}", "EX", "60"}), "OK");
  EXPECT_THAT(Run({"ttl", "state:bot1:s2"}), IsInt(60));
  EXPECT_EQ(Run({"mset", "state:bot1:a", "1", "plain", "2"}), "OK");
  EXPECT_THAT(Run({"ttl", "state:bot1:a"}), IsInt(86400));
  EXPECT_THAT(Run({"ttl", "plain"}), IsInt(-1));
  EXPECT_THAT(Run({"incr", "state:bot1:n"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "state:bot1:n"}), IsInt(86400));
  // An explicit PERSIST is obeyed.
  EXPECT_THAT(Run({"persist", "state:bot1:n"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "state:bot1:n"}), IsInt(-1));
  AdvanceTime(86'400'001);
  EXPECT_THAT(Run({"get", "state:bot1:s1"}), IsNil());
}

TEST_F(ScopeCommandTest, KeepTtlKeepsAnExistingDeadline) {
  Run({"set", "state:b:s", "v", "EX", "100"});
  Run({"set", "state:b:s", "w", "KEEPTTL"});
  EXPECT_THAT(Run({"ttl", "state:b:s"}), IsInt(100));
  Run({"append", "state:b:s", "x"});
  EXPECT_THAT(Run({"ttl", "state:b:s"}), IsInt(100));
}

TEST_F(ScopeCommandTest, OversizedUserValueIsRefusedAndNothingStored) {
  const char* kErr =
      "ERR value too large: scope 'user' (keys starting with 'user:') allows at most 16 bytes";
  EXPECT_EQ(Run({"set", "user:b:u1:bio", std::string(16, 'x')}), "OK");
  EXPECT_THAT(Run({"set", "user:b:u1:bio", std::string(17, 'x')}), ErrorIs(kErr));
  EXPECT_EQ(Run({"get", "user:b:u1:bio"}), std::string(16, 'x'));
  EXPECT_THAT(Run({"set", "user:b:u2", std::string(17, 'x'), "GET"}), ErrorIs(kErr));
  EXPECT_THAT(Run({"append", "user:b:u1:bio", "y"}), ErrorIs(kErr));
  EXPECT_EQ(Run({"get", "user:b:u1:bio"}), std::string(16, 'x'));
  EXPECT_THAT(Run({"setrange", "user:b:u1:bio", "16", "y"}), ErrorIs(kErr));
  EXPECT_THAT(Run({"mset", "a", "1", "user:b:u3", std::string(20, 'z')}), ErrorIs(kErr));
  EXPECT_THAT(Run({"get", "a"}), IsNil());  // MSET is all or nothing
  EXPECT_THAT(Run({"getset", "user:b:u1:bio", std::string(17, 'x')}), ErrorIs(kErr));
  // Other scopes and plain keys are not limited.
  EXPECT_EQ(Run({"set", "global:b:big", std::string(1000, 'g')}), "OK");
}

// A value that arrives in a scope by RENAME or COPY obeys the scope as a
// new write would: its size limit, and its default TTL when it has none.
TEST_F(ScopeCommandTest, RenameAndCopyIntoAScopeObeyItsSizeLimit) {
  const char* kErr =
      "ERR value too large: scope 'user' (keys starting with 'user:') allows at most 16 bytes";
  EXPECT_EQ(Run({"set", "plain", std::string(17, 'p')}), "OK");
  EXPECT_THAT(Run({"rename", "plain", "user:b:x"}), ErrorIs(kErr));
  EXPECT_THAT(Run({"renamenx", "plain", "user:b:x"}), ErrorIs(kErr));
  EXPECT_THAT(Run({"copy", "plain", "user:b:x"}), ErrorIs(kErr));
  EXPECT_THAT(Run({"copy", "plain", "user:b:x", "DB", "3"}), ErrorIs(kErr));
  // Nothing moved, nothing created.
  EXPECT_EQ(Run({"get", "plain"}), std::string(17, 'p'));
  EXPECT_THAT(Run({"exists", "user:b:x"}), IsInt(0));
  // A value within the limit moves as usual.
  EXPECT_EQ(Run({"set", "small", std::string(16, 's')}), "OK");
  EXPECT_THAT(Run({"copy", "small", "user:b:c"}), IsInt(1));
  EXPECT_EQ(Run({"rename", "small", "user:b:r"}), "OK");
  EXPECT_EQ(Run({"get", "user:b:r"}), std::string(16, 's'));
  EXPECT_EQ(Run({"get", "user:b:c"}), std::string(16, 's'));
}

TEST_F(ScopeCommandTest, RenameAndCopyIntoAScopeGetItsDefaultTtl) {
  EXPECT_EQ(Run({"set", "plain", "v"}), "OK");
  EXPECT_THAT(Run({"copy", "plain", "state:b:c"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "state:b:c"}), IsInt(86400));
  EXPECT_EQ(Run({"rename", "plain", "state:b:r"}), "OK");
  EXPECT_THAT(Run({"ttl", "state:b:r"}), IsInt(86400));
  // A deadline the value already has is kept.
  EXPECT_EQ(Run({"set", "timed", "v", "EX", "50"}), "OK");
  EXPECT_EQ(Run({"rename", "timed", "state:b:t"}), "OK");
  EXPECT_THAT(Run({"ttl", "state:b:t"}), IsInt(50));
  // Leaving the scope keeps the deadline too (RENAME keeps TTLs, as Redis).
  EXPECT_EQ(Run({"rename", "state:b:r", "elsewhere"}), "OK");
  EXPECT_THAT(Run({"ttl", "elsewhere"}), IsInt(86400));
  // MOVE keeps the key, and so its scope: a persisted state key stays so.
  EXPECT_THAT(Run({"persist", "state:b:c"}), IsInt(1));
  EXPECT_THAT(Run({"move", "state:b:c", "2"}), IsInt(1));
  Run({"select", "2"});
  EXPECT_THAT(Run({"ttl", "state:b:c"}), IsInt(-1));
}

TEST_F(ScopeCommandTest, InfoScopesSection) {
  Run({"set", "state:b:s1", "{}"});
  Run({"set", "user:b:u1:age", "31"});
  Run({"set", "user:b:u2:age", "32", "EX", "100"});
  Run({"get", "user:b:u1:age"});
  Run({"get", "user:b:u9:age"});
  RespValue info = Run({"info", "scopes"});
  ASSERT_TRUE(info.IsString());
  EXPECT_THAT(info.str, ::testing::StartsWith("# Scopes\r\n"));
  EXPECT_THAT(info.str,
              ::testing::HasSubstr("scope_state:keys=1,expires=1,hits=0,misses=0,memory="));
  EXPECT_THAT(info.str, ::testing::HasSubstr(",default_ttl_ms=86400000,max_value_size=0,"
                                             "prefix=state:\r\n"));
  EXPECT_THAT(info.str, ::testing::HasSubstr("scope_user:keys=2,expires=1,hits=1,misses=1,"));
  EXPECT_THAT(info.str, ::testing::HasSubstr("scope_global:keys=0,expires=0,hits=0,misses=0,"
                                             "memory=0,"));
  // Part of the default INFO.
  EXPECT_THAT(Run({"info"}).str, ::testing::HasSubstr("# Scopes\r\n"));
}

class DelPrefixTest : public CommandTest {};

TEST_F(DelPrefixTest, DeletesOnlyMatchingKeysOfCurrentDb) {
  for (int i = 0; i < 50; ++i) Run({"set", "user:bot1:u" + std::to_string(i) + ":age", "1"});
  Run({"set", "user:bot10:u1:age", "1"});
  Run({"set", "global:bot1:winner", "{}"});
  Run({"select", "1"});
  Run({"set", "user:bot1:u1:age", "in-db1"});
  Run({"select", "0"});
  EXPECT_THAT(Run({"delprefix", "user:bot1:"}), IsInt(50));
  EXPECT_THAT(Run({"dbsize"}), IsInt(2));
  EXPECT_THAT(Run({"delprefix", "user:bot1:"}), IsInt(0));
  Run({"select", "1"});
  EXPECT_EQ(Run({"get", "user:bot1:u1:age"}), "in-db1");
}

TEST_F(DelPrefixTest, SeveralPrefixesAndLiteralGlobCharacters) {
  Run({"set", "a*:1", "x"});
  Run({"set", "ab:1", "x"});
  Run({"set", "[x]:1", "x"});
  Run({"set", "x:1", "x"});
  EXPECT_THAT(Run({"delprefix", "a*", "[x]"}), IsInt(2));
  EXPECT_EQ(Run({"get", "ab:1"}), "x");
  EXPECT_EQ(Run({"get", "x:1"}), "x");
}

TEST_F(DelPrefixTest, ErrorsAndExpiredKeys) {
  EXPECT_THAT(Run({"delprefix"}), ErrorIs("ERR wrong number of arguments for 'delprefix' command"));
  EXPECT_THAT(Run({"delprefix", ""}), ErrorIs("ERR DELPREFIX prefix must not be empty"));
  Run({"set", "s:1", "x", "PX", "10"});
  Run({"set", "s:2", "x"});
  AdvanceTime(11);
  EXPECT_THAT(Run({"delprefix", "s:"}), IsInt(1));
}

TEST_F(DelPrefixTest, InsideTransactionAndWatch) {
  Run({"set", "state:b:s1", "x"});
  Run({"watch", "state:b:s1"});
  TestClient& other = NewClient();
  Run(other, {"delprefix", "state:b:"});
  Run({"multi"});
  Run({"get", "state:b:s1"});
  EXPECT_EQ(RunRaw({"exec"}), "*-1\r\n");
  Run({"set", "state:b:s2", "x"});
  Run({"multi"});
  Run({"delprefix", "state:"});
  EXPECT_EQ(RunRaw({"exec"}), "*1\r\n:1\r\n");
}

// Enough keys that every shard deletes several batches of 1024.
constexpr int kManyBatches = 40000;

TEST_F(DelPrefixTest, ManyBatchesInsideMultiAreAtomicWithTheTransaction) {
  for (int i = 0; i < kManyBatches; ++i) Run({"set", "p:" + std::to_string(i), "v"});
  Run({"set", "other", "v"});
  Run({"multi"});
  Run({"delprefix", "p:"});
  Run({"get", "p:7"});
  Run({"set", "p:new", "x"});
  Run({"dbsize"});
  EXPECT_EQ(RunRaw({"exec"}),
            "*4\r\n:" + std::to_string(kManyBatches) + "\r\n$-1\r\n+OK\r\n:2\r\n");
  // The exec gate is intact (a DELPREFIX inside EXEC never leaves it): a
  // second transaction and a plain command still run.
  Run({"multi"});
  Run({"get", "p:new"});
  EXPECT_EQ(RunRaw({"exec"}), "*1\r\n$1\r\nx\r\n");
}

TEST_F(DelPrefixTest, ManyBatchesOutsideMultiKeepTheExecGateBalanced) {
  for (int i = 0; i < kManyBatches; ++i) Run({"set", "p:" + std::to_string(i), "v"});
  EXPECT_THAT(Run({"delprefix", "p:"}), IsInt(kManyBatches));
  Run({"multi"});
  Run({"dbsize"});
  EXPECT_EQ(RunRaw({"exec"}), "*1\r\n:0\r\n");
}

TEST_F(DelPrefixTest, RunsOffTheIoThreadAloneOrInsideExec) {
  server::CommandRunner& d = server_->dispatcher();
  using P = server::CommandRunner::Placement;
  auto place = [&](std::initializer_list<std::string> a) {
    return d.Place(client_->state, server::Args(a.begin(), a.end()));
  };
  EXPECT_EQ(place({"DELPREFIX", "p:"}), P::kWorker);
  EXPECT_EQ(place({"get", "p:"}), P::kHere);
  EXPECT_EQ(place({"nosuchcommand"}), P::kHere);
  EXPECT_EQ(place({"evalsha", "abc", "0"}), P::kScript);
  EXPECT_EQ(place({"fcall", "f", "0"}), P::kScript);
  Run({"multi"});
  EXPECT_EQ(place({"delprefix", "p:"}), P::kHere);  // only queued
  EXPECT_EQ(place({"exec"}), P::kHere);
  Run({"delprefix", "p:"});
  EXPECT_EQ(place({"exec"}), P::kWorker);
  EXPECT_THAT(Run({"exec"}).elems, ::testing::ElementsAre(IsInt(0)));
  // A transaction holding a script runs on a worker: no helper stands in
  // for the io thread during an EXEC.
  Run({"multi"});
  Run({"eval", "return 1", "0"});
  EXPECT_EQ(place({"exec"}), P::kWorker);
  EXPECT_THAT(Run({"exec"}).elems, ::testing::ElementsAre(IsInt(1)));
}

TEST_F(DelPrefixTest, PrefixScanAndKeysVisitOnlyMatches) {
  for (int i = 0; i < 300; ++i) Run({"set", "user:b:u" + std::to_string(i), "1"});
  for (int i = 0; i < 10; ++i) Run({"set", "state:b:s" + std::to_string(i), "1"});
  RespValue r = Run({"scan", "0", "match", "state:b:*", "count", "10"});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], "0");  // ten matches: one call
  EXPECT_EQ(r[1].size(), 10u);
  EXPECT_EQ(Run({"keys", "state:b:*"}).size(), 10u);
  // "state:b:*" also matches "state:b:" itself, as Redis's glob does.
  Run({"set", "state:b:", "edge"});
  EXPECT_EQ(Run({"keys", "state:b:*"}).size(), 11u);
}

}  // namespace
}  // namespace stashd::test
