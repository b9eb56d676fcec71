#include "persistence/change_recorder.h"

#include <atomic>
#include <string>

#include "persistence/log_format.h"

namespace stashd::persistence {
namespace {

std::atomic<uint64_t> next_recorder_id{1};

struct ThreadBatch {
  uint64_t recorder = 0;  // whose batch and LSN these are
  int depth = 0;          // nesting of BeginCommand
  std::string payload;
  uint64_t lsn = 0;
};

thread_local ThreadBatch batch;

// The calling thread's batch, reset if it belonged to another recorder.
ThreadBatch& BatchOf(uint64_t recorder) {
  if (batch.recorder != recorder) {
    batch.recorder = recorder;
    batch.depth = 0;
    batch.payload.clear();
    batch.lsn = 0;
  }
  return batch;
}

}  // namespace

ChangeRecorder::ChangeRecorder(WriteLog* log) : log_(log), id_(next_recorder_id.fetch_add(1)) {}

void ChangeRecorder::OnChange(const store::Change& change) {
  ThreadBatch& b = BatchOf(id_);
  // Room for the record header, so that the log can take the batch over.
  if (b.payload.empty()) b.payload.resize(log::kRecordHeaderSize);
  // Room for the whole change before encoding it: appending a large value,
  // then the few bytes after it, would otherwise double the buffer.
  const size_t needed = b.payload.size() + change.key.size() + change.value.size() + 32;
  if (needed > b.payload.capacity()) b.payload.reserve(needed);
  log::EncodeChange(change, &b.payload);
  if (b.depth == 0) AppendBatch();
}

void ChangeRecorder::OnUnlock() {
  ThreadBatch& b = BatchOf(id_);
  if (b.depth <= 1) AppendBatch();
}

void ChangeRecorder::BeginCommand() { ++BatchOf(id_).depth; }

void ChangeRecorder::EndCommand() {
  ThreadBatch& b = BatchOf(id_);
  if (b.depth > 0) --b.depth;
  if (b.depth == 0) AppendBatch();
}

uint64_t ChangeRecorder::ThreadLsn() const { return BatchOf(id_).lsn; }

void ChangeRecorder::AppendBatch() {
  ThreadBatch& b = BatchOf(id_);
  if (b.payload.empty()) return;
  b.lsn = log_->AppendFramed(&b.payload);
  // A huge EXEC or flush-sized batch should not pin its memory forever.
  if (b.payload.capacity() > (1u << 20)) b.payload.shrink_to_fit();
}

}  // namespace stashd::persistence
