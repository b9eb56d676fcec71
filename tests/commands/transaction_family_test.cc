// MULTI / EXEC / DISCARD / WATCH / UNWATCH through the dispatcher; expected
// replies checked against redis-server 7.0.15.
#include "commands/command_fixture.h"

namespace stashd::test {
namespace {

using ::testing::ElementsAre;

class TransactionTest : public CommandTest {};

TEST_F(TransactionTest, QueuesAndExecutesInOrder) {
  EXPECT_EQ(Run({"multi"}), "OK");
  EXPECT_EQ(Run({"set", "a", "1"}), "QUEUED");
  EXPECT_EQ(Run({"incr", "a"}), "QUEUED");
  EXPECT_EQ(Run({"get", "a"}), "QUEUED");
  EXPECT_EQ(RunRaw({"exec"}), "*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run({"get", "a"}), "2");
}

TEST_F(TransactionTest, NothingRunsBeforeExec) {
  Run({"multi"});
  Run({"set", "a", "1"});
  TestClient& other = NewClient();
  EXPECT_THAT(Run(other, {"get", "a"}), IsNil());
  Run({"exec"});
  EXPECT_EQ(Run(other, {"get", "a"}), "1");
}

TEST_F(TransactionTest, EmptyTransaction) {
  Run({"multi"});
  EXPECT_EQ(RunRaw({"exec"}), "*0\r\n");
}

TEST_F(TransactionTest, RuntimeErrorsDoNotAbort) {
  Run({"set", "s", "abc"});
  Run({"multi"});
  Run({"incr", "s"});
  Run({"set", "b", "2"});
  EXPECT_EQ(RunRaw({"exec"}), "*2\r\n-ERR value is not an integer or out of range\r\n+OK\r\n");
  EXPECT_EQ(Run({"get", "b"}), "2");
}

TEST_F(TransactionTest, QueueTimeErrorsAbortWithExecAbort) {
  Run({"multi"});
  EXPECT_THAT(Run({"set", "a"}), ErrorIs("ERR wrong number of arguments for 'set' command"));
  EXPECT_EQ(Run({"set", "b", "1"}), "QUEUED");
  EXPECT_THAT(Run({"exec"}),
              ErrorIs("EXECABORT Transaction discarded because of previous errors."));
  EXPECT_THAT(Run({"get", "b"}), IsNil());
  // The transaction is over.
  EXPECT_THAT(Run({"exec"}), ErrorIs("ERR EXEC without MULTI"));
}

TEST_F(TransactionTest, UnknownCommandInsideMultiAborts) {
  Run({"multi"});
  EXPECT_THAT(Run({"nosuchcmd", "x"}),
              ErrorIs("ERR unknown command 'nosuchcmd', with args beginning with: 'x' "));
  EXPECT_THAT(Run({"exec"}), ErrorStartsWith("EXECABORT"));
}

// As Redis's execCommandAbort: an EXEC refused by the dispatcher (here its
// arity) discards the transaction and says why, inside MULTI or not.
TEST_F(TransactionTest, ExecWithArgumentsAbortsTheTransaction) {
  Run({"multi"});
  EXPECT_EQ(Run({"set", "a", "1"}), "QUEUED");
  EXPECT_EQ(RunRaw({"exec", "x"}),
            "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
            "command\r\n");
  EXPECT_FALSE(client().in_multi);
  EXPECT_THAT(Run({"get", "a"}), IsNil());
  EXPECT_THAT(Run({"exec"}), ErrorIs("ERR EXEC without MULTI"));
  EXPECT_EQ(RunRaw({"exec", "y"}),
            "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
            "command\r\n");
}

TEST_F(TransactionTest, NestedMultiIsAnErrorButKeepsTransaction) {
  Run({"multi"});
  EXPECT_THAT(Run({"multi"}), ErrorIs("ERR MULTI calls can not be nested"));
  Run({"set", "a", "1"});
  EXPECT_EQ(RunRaw({"exec"}), "*1\r\n+OK\r\n");
}

TEST_F(TransactionTest, ExecAndDiscardWithoutMulti) {
  EXPECT_THAT(Run({"exec"}), ErrorIs("ERR EXEC without MULTI"));
  EXPECT_THAT(Run({"discard"}), ErrorIs("ERR DISCARD without MULTI"));
}

TEST_F(TransactionTest, DiscardDropsQueue) {
  Run({"multi"});
  Run({"set", "a", "1"});
  EXPECT_EQ(Run({"discard"}), "OK");
  EXPECT_THAT(Run({"get", "a"}), IsNil());
}

TEST_F(TransactionTest, WatchInsideMultiIsRejectedWithoutAborting) {
  Run({"multi"});
  EXPECT_THAT(Run({"watch", "a"}), ErrorIs("ERR WATCH inside MULTI is not allowed"));
  Run({"set", "a", "1"});
  EXPECT_EQ(RunRaw({"exec"}), "*1\r\n+OK\r\n");
}

TEST_F(TransactionTest, WatchedKeyModifiedByOtherClientAbortsExec) {
  Run({"set", "k", "1"});
  EXPECT_EQ(Run({"watch", "k"}), "OK");
  TestClient& other = NewClient();
  Run(other, {"set", "k", "2"});
  Run({"multi"});
  Run({"set", "k", "3"});
  EXPECT_EQ(RunRaw({"exec"}), "*-1\r\n");
  EXPECT_EQ(Run({"get", "k"}), "2");
}

TEST_F(TransactionTest, WatchedKeyUntouchedExecRuns) {
  Run({"set", "k", "1"});
  Run({"watch", "k"});
  TestClient& other = NewClient();
  Run(other, {"get", "k"});
  Run(other, {"set", "unrelated", "x"});
  Run({"multi"});
  Run({"set", "k", "3"});
  EXPECT_EQ(RunRaw({"exec"}), "*1\r\n+OK\r\n");
}

TEST_F(TransactionTest, ModificationBySameClientBeforeMultiAborts) {
  Run({"watch", "k"});
  Run({"set", "k", "mine"});
  Run({"multi"});
  Run({"get", "k"});
  EXPECT_EQ(RunRaw({"exec"}), "*-1\r\n");
}

TEST_F(TransactionTest, WatchOnMissingKeyThenCreatedAborts) {
  Run({"watch", "fresh"});
  TestClient& other = NewClient();
  Run(other, {"set", "fresh", "1"});
  Run({"multi"});
  Run({"ping"});
  EXPECT_EQ(RunRaw({"exec"}), "*-1\r\n");
}

TEST_F(TransactionTest, DeletionAndExpireCountAsModification) {
  Run({"set", "a", "1"});
  Run({"set", "b", "1"});
  Run({"watch", "a"});
  TestClient& other = NewClient();
  Run(other, {"del", "a"});
  Run({"multi"});
  EXPECT_EQ(RunRaw({"exec"}), "*-1\r\n");

  Run({"watch", "b"});
  Run(other, {"pexpire", "b", "100000"});
  Run({"multi"});
  EXPECT_EQ(RunRaw({"exec"}), "*-1\r\n");
}

TEST_F(TransactionTest, KeyExpiringAfterWatchAbortsExec) {
  Run({"set", "k", "v", "px", "100"});
  Run({"watch", "k"});
  AdvanceTime(200);  // nobody reads k: the expiry itself must be noticed
  Run({"multi"});
  Run({"ping"});
  EXPECT_EQ(RunRaw({"exec"}), "*-1\r\n");
}

TEST_F(TransactionTest, KeyAlreadyExpiredAtWatchDoesNotAbort) {
  Run({"set", "k", "v", "px", "100"});
  AdvanceTime(200);
  Run({"watch", "k"});
  Run({"multi"});
  Run({"ping"});
  EXPECT_EQ(RunRaw({"exec"}), "*1\r\n+PONG\r\n");
}

TEST_F(TransactionTest, UnwatchForgetsKeys) {
  Run({"watch", "k"});
  EXPECT_EQ(Run({"unwatch"}), "OK");
  TestClient& other = NewClient();
  Run(other, {"set", "k", "2"});
  Run({"multi"});
  Run({"get", "k"});
  EXPECT_EQ(RunRaw({"exec"}), "*1\r\n$1\r\n2\r\n");
}

TEST_F(TransactionTest, ExecUnwatchesEvenWhenAborted) {
  Run({"watch", "k"});
  TestClient& other = NewClient();
  Run(other, {"set", "k", "2"});
  Run({"multi"});
  EXPECT_EQ(RunRaw({"exec"}), "*-1\r\n");
  // A second transaction is not affected by the old watch.
  Run({"multi"});
  Run({"get", "k"});
  EXPECT_EQ(RunRaw({"exec"}), "*1\r\n$1\r\n2\r\n");
}

TEST_F(TransactionTest, FlushallTouchesWatchedKeys) {
  Run({"set", "k", "1"});
  Run({"watch", "k"});
  TestClient& other = NewClient();
  Run(other, {"flushall"});
  Run({"multi"});
  EXPECT_EQ(RunRaw({"exec"}), "*-1\r\n");
}

TEST_F(TransactionTest, WatchArityAndCommandStats) {
  EXPECT_THAT(Run({"watch"}), ErrorIs("ERR wrong number of arguments for 'watch' command"));
  Run({"multi"});
  Run({"set", "a", "1"});
  Run({"exec"});
  const server::CommandSpec* set = server().commands().Find("set");
  EXPECT_EQ(server().command_stats(set).calls.load(), 1u);
}

}  // namespace
}  // namespace stashd::test
