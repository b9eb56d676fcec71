#include "store/hash_index.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace stashd::store {

namespace {

constexpr int kMinBits = 4;  // 16 home slots

size_t OverflowSlots(size_t homes) { return std::max<size_t>(16, homes / 16); }

}  // namespace

size_t HashIndex::Home(uint64_t hash) const {
  // Hashes of other shards (never stored here) sort before or after all.
  const uint64_t top = skip_ == 0 ? 0 : hash >> (64 - skip_);
  if (top < prefix_) return 0;
  if (top > prefix_) return slot_count_;
  const uint64_t rest = skip_ == 0 ? hash : hash << skip_;
  return static_cast<size_t>(rest >> (64 - bits_));
}

size_t HashIndex::LowerBoundIndex(uint64_t hash) const {
  if (bits_ == 0) return 0;
  size_t i = Home(hash);
  // The run at the home slot may hold smaller hashes pushed here from
  // before; past it (a free slot) every hash is larger.
  while (i < slot_count_ && slots_[i].second != nullptr && slots_[i].first < hash) ++i;
  return i;
}

HashIndex::iterator HashIndex::lower_bound(uint64_t hash) {
  return {slots_.get() + LowerBoundIndex(hash), End()};
}

HashIndex::const_iterator HashIndex::lower_bound(uint64_t hash) const {
  return {slots_.get() + LowerBoundIndex(hash), End()};
}

HashIndex::iterator HashIndex::emplace(uint64_t hash, Entry* e) {
  assert(e != nullptr);
  if (bits_ == 0) {
    Rehash(kMinBits, 0);
  } else if ((size_ + 1) * 5 > (size_t{1} << bits_) * 4) {
    Rehash(bits_ + 1, 0);
  }
  while (true) {
    size_t i = Home(hash);
    assert(i < slot_count_);  // a hash of this shard
    while (i < slot_count_ && slots_[i].second != nullptr && slots_[i].first <= hash) ++i;
    size_t free = i;
    while (free < slot_count_ && slots_[free].second != nullptr) ++free;
    if (free == slot_count_) {  // the run reaches the end: more room there
      Rehash(bits_, 2 * (slot_count_ - (size_t{1} << bits_)));
      continue;
    }
    Slot* s = slots_.get();
    std::memmove(static_cast<void*>(s + i + 1), s + i, (free - i) * sizeof(Slot));
    s[i] = Slot{hash, e};
    ++size_;
    return {s + i, End()};
  }
}

void HashIndex::erase(iterator it) {
  Slot* s = slots_.get();
  size_t j = static_cast<size_t>(it.slot() - s);
  assert(j < slot_count_ && s[j].second != nullptr);
  // Pull back the rest of the run, each slot that may be closer to its home.
  while (j + 1 < slot_count_ && s[j + 1].second != nullptr && Home(s[j + 1].first) <= j) {
    s[j] = s[j + 1];
    ++j;
  }
  s[j] = Slot{};
  --size_;
  if (size_ == 0) {
    clear();
  } else if (bits_ > kMinBits && size_ * 8 < (size_t{1} << bits_)) {
    Rehash(bits_ - 1, 0);
  }
}

void HashIndex::clear() {
  slots_.reset();
  slot_count_ = 0;
  bits_ = 0;
  size_ = 0;
}

void HashIndex::Rehash(int bits, size_t min_overflow) {
  while (true) {
    const size_t homes = size_t{1} << bits;
    const size_t count = homes + std::max(OverflowSlots(homes), min_overflow);
    auto fresh = std::make_unique<Slot[]>(count);
    const int old_bits = bits_;
    const size_t old_count = slot_count_;
    bits_ = bits;
    slot_count_ = count;
    // In hash order, each slot at its home or right after the previous one.
    size_t next = 0;
    bool fits = true;
    for (size_t k = 0; k < old_count; ++k) {
      const Slot& s = slots_[k];
      if (s.second == nullptr) continue;
      const size_t pos = std::max(Home(s.first), next);
      if (pos >= count) {
        fits = false;
        break;
      }
      fresh[pos] = s;
      next = pos + 1;
    }
    if (fits) {
      slots_ = std::move(fresh);
      return;
    }
    bits_ = old_bits;
    slot_count_ = old_count;
    min_overflow = 2 * (count - homes);
  }
}

}  // namespace stashd::store
