// A watch over a command that runs on its connection's io thread and may
// run long (a script: kRunsScript in command.h). The connection installs a
// LongRunWatch for the command's duration; the command calls Tick() now and
// then (a script's Lua hook does, through ScriptHost::Tick). The watch
// decides what a long run means for the thread: the network layer's watch
// (server/net/io_rescue.h) lets a helper thread serve the io thread's other
// connections, so they get BUSY and can send SCRIPT KILL, as Redis serves
// its clients from inside a slow script.
//
// Thread safety: a watch belongs to the thread that installed it; Tick()
// acts on the calling thread's watch only.
#pragma once

namespace stashd::server {

class LongRunWatch {
 public:
  LongRunWatch() : outer_(current_) { current_ = this; }
  virtual ~LongRunWatch() { current_ = outer_; }
  LongRunWatch(const LongRunWatch&) = delete;
  LongRunWatch& operator=(const LongRunWatch&) = delete;

  // Tells the calling thread's watch, if it has one, that the command is
  // still running.
  static void Tick() {
    if (current_ != nullptr) current_->OnTick();
  }

 protected:
  virtual void OnTick() = 0;

 private:
  LongRunWatch* outer_;
  static inline thread_local LongRunWatch* current_ = nullptr;
};

}  // namespace stashd::server
