#include "store/entry.h"

#include <malloc.h>

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <new>

namespace stashd::store {
namespace {

// Smallest width code whose field holds both lengths.
uint8_t WidthCodeFor(size_t max_len) {
  if (max_len <= UINT8_MAX) return 0;
  if (max_len <= UINT16_MAX) return 1;
  if (max_len <= UINT32_MAX) return 2;
  return 3;
}

void StoreLength(char* dst, size_t width, size_t len) {
  switch (width) {
    case 1: {
      uint8_t v = static_cast<uint8_t>(len);
      std::memcpy(dst, &v, 1);
      break;
    }
    case 2: {
      uint16_t v = static_cast<uint16_t>(len);
      std::memcpy(dst, &v, 2);
      break;
    }
    case 4: {
      uint32_t v = static_cast<uint32_t>(len);
      std::memcpy(dst, &v, 4);
      break;
    }
    default: {
      uint64_t v = len;
      std::memcpy(dst, &v, 8);
      break;
    }
  }
}

size_t LoadLength(const char* src, size_t width) {
  switch (width) {
    case 1:
      return static_cast<uint8_t>(*src);
    case 2: {
      uint16_t v;
      std::memcpy(&v, src, 2);
      return v;
    }
    case 4: {
      uint32_t v;
      std::memcpy(&v, src, 4);
      return v;
    }
    default: {
      uint64_t v;
      std::memcpy(&v, src, 8);
      return static_cast<size_t>(v);
    }
  }
}

}  // namespace

Entry* Entry::Make(std::string_view key, ValueType type, std::string_view value,
                   int64_t expire_at_ms, size_t room) {
  const bool has_deadline = expire_at_ms >= 0;
  const uint8_t code = WidthCodeFor(key.size() > value.size() ? key.size() : value.size());
  const size_t width = size_t{1} << code;
  const size_t header = kLengthsAt + 2 * width + (has_deadline ? 8 : 0);
  const size_t total = header + key.size() + value.size();

  // malloc rather than new[]: the bytes are the object, and glibc's chunk
  // sizes are what the memory budget was computed against.
  char* mem = static_cast<char*>(std::malloc(total + room));
  if (mem == nullptr) throw std::bad_alloc();

  const uint8_t tag = static_cast<uint8_t>((static_cast<uint8_t>(type) << 4) |
                                           (has_deadline ? kDeadlineBit : 0) | code);
  Entry* entry = new (mem) Entry(tag);
  entry->set_access_clock(0);
  StoreLength(mem + kLengthsAt, width, key.size());
  StoreLength(mem + kLengthsAt + width, width, value.size());
  if (has_deadline) std::memcpy(mem + kLengthsAt + 2 * width, &expire_at_ms, 8);
  if (!key.empty()) std::memcpy(mem + header, key.data(), key.size());
  if (!value.empty()) std::memcpy(mem + header + key.size(), value.data(), value.size());
  return entry;
}

Entry* Entry::MakeObject(std::string_view key, Object* object, int64_t expire_at_ms) {
  char ptr[sizeof(Object*)];
  std::memcpy(ptr, &object, sizeof(ptr));
  Entry* e = Make(key, object->type(), std::string_view(ptr, sizeof(ptr)), expire_at_ms);
  object->Ref();
  return e;
}

Entry* Entry::Rebuild(const Entry& from, std::string_view key, int64_t expire_at_ms) {
  if (from.is_object()) return MakeObject(key, from.object(), expire_at_ms);
  return Make(key, from.type(), from.value(), expire_at_ms);
}

Object* Entry::object() const {
  if (!is_object()) return nullptr;
  Object* o;
  std::memcpy(&o, bytes() + header_size() + key_size(), sizeof(o));
  return o;
}

bool Entry::SetDeadlineInPlace(int64_t expire_at_ms) {
  if (!has_deadline() || expire_at_ms < 0) return false;
  std::memcpy(reinterpret_cast<char*>(this) + kLengthsAt + 2 * width(), &expire_at_ms, 8);
  return true;
}

void Entry::Destroy(Entry* entry) {
  if (entry == nullptr) return;
  if (Object* o = entry->object()) o->Unref();
  entry->~Entry();
  std::free(entry);
}

size_t Entry::key_size() const { return LoadLength(bytes() + kLengthsAt, width()); }

size_t Entry::value_size() const { return LoadLength(bytes() + kLengthsAt + width(), width()); }

int64_t Entry::expire_at_ms() const {
  if (!has_deadline()) return kNoExpiry;
  int64_t deadline;
  std::memcpy(&deadline, bytes() + kLengthsAt + 2 * width(), 8);
  return deadline;
}

std::string_view Entry::key() const { return {bytes() + header_size(), key_size()}; }

std::string_view Entry::value() const {
  return {bytes() + header_size() + key_size(), value_size()};
}

bool Entry::OverwriteInPlace(ValueType t, std::string_view value, int64_t expire_at_ms) {
  if (is_object() || t != type() || has_deadline() != (expire_at_ms >= 0)) return false;
  char* mem = reinterpret_cast<char*>(this);
  const size_t key_len = key_size();
  const size_t value_at = header_size() + key_len;
  if (value.size() != value_size()) {
    // Same layout (the lengths keep their width), and the block malloc gave
    // has the room without wasting much of it.
    if (WidthCodeFor(std::max(key_len, value.size())) != (tag_ & kWidthMask)) return false;
    const size_t total = value_at + value.size();
    const size_t room = malloc_usable_size(mem);
    if (total > room || room - total > std::max(kMaxSlack, total / 4)) return false;
    StoreLength(mem + kLengthsAt + width(), width(), value.size());
  }
  if (has_deadline()) std::memcpy(mem + kLengthsAt + 2 * width(), &expire_at_ms, 8);
  if (!value.empty()) std::memmove(mem + value_at, value.data(), value.size());
  return true;
}

void Entry::PatchInPlace(size_t offset, std::string_view patch) {
  assert(type() == ValueType::kString && offset + patch.size() <= value_size());
  if (patch.empty()) return;
  char* mem = reinterpret_cast<char*>(this);
  std::memcpy(mem + header_size() + key_size() + offset, patch.data(), patch.size());
}

bool Entry::ExtendInPlace(size_t offset, std::string_view patch) {
  const size_t old_size = value_size();
  const size_t new_size = offset + patch.size();
  assert(type() == ValueType::kString && new_size > old_size);
  const size_t key_len = key_size();
  if (WidthCodeFor(std::max(key_len, new_size)) != (tag_ & kWidthMask)) return false;
  char* mem = reinterpret_cast<char*>(this);
  const size_t value_at = header_size() + key_len;
  if (value_at + new_size > malloc_usable_size(mem)) return false;
  if (offset > old_size) std::memset(mem + value_at + old_size, 0, offset - old_size);
  std::memcpy(mem + value_at + offset, patch.data(), patch.size());
  StoreLength(mem + kLengthsAt + width(), width(), new_size);
  return true;
}

uint32_t Entry::access_clock() const {
  const auto* b = reinterpret_cast<const uint8_t*>(bytes() + kClockAt);
  return uint32_t{b[0]} | (uint32_t{b[1]} << 8) | (uint32_t{b[2]} << 16);
}

void Entry::set_access_clock(uint32_t clock) {
  auto* b = reinterpret_cast<uint8_t*>(this) + kClockAt;
  b[0] = static_cast<uint8_t>(clock);
  b[1] = static_cast<uint8_t>(clock >> 8);
  b[2] = static_cast<uint8_t>(clock >> 16);
}

size_t Entry::ByteSize() const {
  const size_t own = header_size() + key_size() + value_size();
  const Object* o = object();
  return o == nullptr ? own : own + o->MemoryUsage();
}

}  // namespace stashd::store
