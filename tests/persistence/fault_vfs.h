// An SQLite VFS for tests that wraps the default one and fails writes or
// fsyncs on demand, to check that a failed snapshot leaves the previous one
// intact.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstring>

namespace stashd::test {

class FaultVfs {
 public:
  static constexpr const char* kName = "stashd-fault";

  // Registers the VFS (once per process).
  static void Register() {
    static bool done = [] {
      sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
      static sqlite3_vfs vfs;
      std::memcpy(&vfs, real, sizeof(vfs));
      vfs.zName = kName;
      vfs.pAppData = real;
      vfs.szOsFile = static_cast<int>(sizeof(File)) + real->szOsFile;
      vfs.xOpen = Open;
      vfs.pNext = nullptr;
      sqlite3_vfs_register(&vfs, 0);
      return true;
    }();
    (void)done;
  }

  // Writes fail (SQLITE_FULL, as on a full disk) after `n` more have
  // succeeded; -1 disables.
  static void FailWritesAfter(int n) { writes_left().store(n); }
  static void FailSyncs(bool on) { fail_syncs().store(on); }
  static void Reset() {
    FailWritesAfter(-1);
    FailSyncs(false);
  }

 private:
  struct File {
    sqlite3_file base;
    sqlite3_file* real;
  };

  static std::atomic<int>& writes_left() {
    static std::atomic<int> n{-1};
    return n;
  }
  static std::atomic<bool>& fail_syncs() {
    static std::atomic<bool> on{false};
    return on;
  }
  static sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

  static int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags,
                  int* out_flags) {
    auto* real_vfs = static_cast<sqlite3_vfs*>(vfs->pAppData);
    File* f = reinterpret_cast<File*>(file);
    f->real = reinterpret_cast<sqlite3_file*>(f + 1);
    int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
    f->base.pMethods = rc == SQLITE_OK && f->real->pMethods != nullptr ? &Methods() : nullptr;
    return rc;
  }

  static const sqlite3_io_methods& Methods() {
    static const sqlite3_io_methods m = {
        3,
        [](sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); },
        [](sqlite3_file* f, void* p, int n, sqlite3_int64 off) {
          return Real(f)->pMethods->xRead(Real(f), p, n, off);
        },
        [](sqlite3_file* f, const void* p, int n, sqlite3_int64 off) {
          int left = writes_left().load();
          if (left == 0) return SQLITE_FULL;
          if (left > 0) writes_left().fetch_sub(1);
          return Real(f)->pMethods->xWrite(Real(f), p, n, off);
        },
        [](sqlite3_file* f, sqlite3_int64 size) {
          return Real(f)->pMethods->xTruncate(Real(f), size);
        },
        [](sqlite3_file* f, int flags) {
          if (fail_syncs().load()) return SQLITE_IOERR_FSYNC;
          return Real(f)->pMethods->xSync(Real(f), flags);
        },
        [](sqlite3_file* f, sqlite3_int64* size) {
          return Real(f)->pMethods->xFileSize(Real(f), size);
        },
        [](sqlite3_file* f, int lock) { return Real(f)->pMethods->xLock(Real(f), lock); },
        [](sqlite3_file* f, int lock) { return Real(f)->pMethods->xUnlock(Real(f), lock); },
        [](sqlite3_file* f, int* out) {
          return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
        },
        [](sqlite3_file* f, int op, void* arg) {
          return Real(f)->pMethods->xFileControl(Real(f), op, arg);
        },
        [](sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); },
        [](sqlite3_file* f) { return Real(f)->pMethods->xDeviceCharacteristics(Real(f)); },
        [](sqlite3_file* f, int page, int size, int extend, void volatile** p) {
          return Real(f)->pMethods->xShmMap(Real(f), page, size, extend, p);
        },
        [](sqlite3_file* f, int offset, int n, int flags) {
          return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
        },
        [](sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); },
        [](sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); },
        [](sqlite3_file* f, sqlite3_int64 off, int n, void** p) {
          return Real(f)->pMethods->xFetch(Real(f), off, n, p);
        },
        [](sqlite3_file* f, sqlite3_int64 off, void* p) {
          return Real(f)->pMethods->xUnfetch(Real(f), off, p);
        },
    };
    return m;
  }
};

}  // namespace stashd::test
