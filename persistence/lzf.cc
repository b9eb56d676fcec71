#include "persistence/lzf.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>

namespace stashd::persistence::rdb {
namespace {

constexpr size_t kMaxLiteralRun = 32;
constexpr size_t kMaxDistance = 8192;
constexpr size_t kMaxMatch = 264;  // 7 + 255 + 2
constexpr size_t kTableSlots = size_t{1} << 16;

// The table slot of the three bytes at `p`: liblzf's index function for
// its 16-bit table, written for one three-byte value t: (t >> 8) - 5t,
// modulo the table size. Only a collision (two triples in one slot) makes
// the choice of function visible, but then it decides which earlier
// position a match is tried from, hence the bytes written.
size_t Slot(const unsigned char* p) {
  const uint32_t t = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
  return ((t >> 8) - t * 5) & (kTableSlots - 1);
}

// The last position entered in each slot, for this thread. Instead of
// clearing 65,536 slots for every (often 21-byte) string, each call numbers
// positions from a base above every number an earlier call stored: a slot
// holding less than the base is empty.
struct PositionTable {
  std::array<uint64_t, kTableSlots> slots{};
  uint64_t base = 1;
};

// Writes the output, tracking the control byte of the literal run being
// collected (one is always reserved, as the format needs it before the
// bytes it counts).
class LzfWriter {
 public:
  explicit LzfWriter(size_t reserve) {
    out_.reserve(reserve);
    StartRun();
  }
  size_t size() const { return out_.size(); }
  size_t literals() const { return literals_; }

  void Literal(char c) {
    out_.push_back(c);
    if (++literals_ == kMaxLiteralRun) {
      EndRun();
      StartRun();
    }
  }
  void EndRun() {
    if (literals_ == 0) {
      out_.pop_back();  // the reserved control byte of an empty run
    } else {
      out_[run_start_] = static_cast<char>(literals_ - 1);
    }
  }
  void StartRun() {
    run_start_ = out_.size();
    out_.push_back(0);
    literals_ = 0;
  }
  void Match(size_t distance, size_t length) {
    const size_t off = distance - 1;
    const size_t len = length - 2;
    if (len < 7) {
      out_.push_back(static_cast<char>((len << 5) | (off >> 8)));
    } else {
      out_.push_back(static_cast<char>((7 << 5) | (off >> 8)));
      out_.push_back(static_cast<char>(len - 7));
    }
    out_.push_back(static_cast<char>(off & 0xff));
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  size_t run_start_ = 0;
  size_t literals_ = 0;
};

// The length of the match of `in` at `pos` against `ref`, whose first three
// bytes are known to be equal, given `limit` = min(bytes left - 2, 264).
// liblzf compares up to `limit`, except that when the limit is above 16 it
// first compares 16 more bytes unconditionally; a match may then reach the
// last two bytes of the input. The same rule here, for the same lengths.
size_t MatchLength(const unsigned char* in, size_t ref, size_t pos, size_t limit) {
  size_t len = 3;
  if (limit > 16) {
    for (; len < 19; ++len) {
      if (in[ref + len] != in[pos + len]) return len;
    }
  }
  while (len < limit && in[ref + len] == in[pos + len]) ++len;
  return len;
}

}  // namespace

std::optional<std::string> LzfCompress(std::string_view input, size_t capacity) {
  if (input.empty()) return std::nullopt;
  thread_local std::unique_ptr<PositionTable> table = std::make_unique<PositionTable>();
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  const size_t n = input.size();
  const uint64_t base = table->base;
  table->base += n + 1;
  auto enter = [&](size_t pos) { table->slots[Slot(in + pos)] = base + pos; };

  LzfWriter out(capacity + 1);
  size_t pos = 0;
  while (pos + 2 < n) {
    uint64_t& slot = table->slots[Slot(in + pos)];
    const uint64_t stored = slot;
    slot = base + pos;
    // A candidate from this call, not at position 0, near enough, and
    // really equal in its first three bytes.
    const size_t ref = stored > base ? static_cast<size_t>(stored - base) : 0;
    if (ref != 0 && pos - ref <= kMaxDistance && in[ref] == in[pos] && in[ref + 1] == in[pos + 1] &&
        in[ref + 2] == in[pos + 2]) {
      // Room for the longest back reference and the next run's control byte.
      if (out.size() - (out.literals() == 0 ? 1 : 0) + 4 >= capacity) return std::nullopt;
      const size_t length = MatchLength(in, ref, pos, std::min(n - pos - 2, kMaxMatch));
      out.EndRun();
      out.Match(pos - ref, length);
      out.StartRun();
      pos += length;
      if (pos + 2 >= n) break;
      enter(pos - 2);
      enter(pos - 1);
    } else {
      if (out.size() >= capacity) return std::nullopt;
      out.Literal(static_cast<char>(in[pos++]));
    }
  }
  // At most two bytes are left, and a control byte may be needed for them.
  if (out.size() + 3 > capacity) return std::nullopt;
  while (pos < n) out.Literal(static_cast<char>(in[pos++]));
  out.EndRun();
  return out.Take();
}

// A control byte below 32 starts a run of control+1 literal bytes;
// otherwise its top three bits are a match length (7 means "add the next
// byte"), the match is length+2 bytes long and starts ((control & 31) << 8)
// + next byte + 1 bytes back in the output.
std::optional<std::string> LzfDecompress(std::string_view in, size_t out_len) {
  // The most a byte of LZF expands to: a 3-byte match of 264 bytes.
  if (out_len / 88 > in.size()) return std::nullopt;
  std::string out;
  out.reserve(out_len);
  size_t i = 0;
  while (i < in.size()) {
    const auto control = static_cast<uint8_t>(in[i++]);
    if (control < 32) {
      const size_t run = control + 1u;
      if (i + run > in.size() || out.size() + run > out_len) return std::nullopt;
      out.append(in.substr(i, run));
      i += run;
      continue;
    }
    size_t length = control >> 5;
    if (length == 7) {
      if (i >= in.size()) return std::nullopt;
      length += static_cast<uint8_t>(in[i++]);
    }
    if (i >= in.size()) return std::nullopt;
    const size_t back = ((control & 0x1fu) << 8) + static_cast<uint8_t>(in[i++]) + 1;
    length += 2;
    if (back > out.size() || out.size() + length > out_len) return std::nullopt;
    size_t from = out.size() - back;
    for (size_t n = 0; n < length; ++n) out.push_back(out[from + n]);  // may overlap
  }
  if (out.size() != out_len) return std::nullopt;
  return out;
}

}  // namespace stashd::persistence::rdb
