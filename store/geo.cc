#include "store/geo.h"

#include <cmath>
#include <string_view>

#include "absl/strings/ascii.h"

namespace stashd::store::geo {
namespace {

constexpr double kDegToRad = M_PI / 180.0;
constexpr Range kLongitudeRange{kLongitudeMin, kLongitudeMax};
constexpr Range kLatitudeRange{kLatitudeMin, kLatitudeMax};

double DegToRad(double deg) { return deg * kDegToRad; }
double RadToDeg(double rad) { return rad / kDegToRad; }

// Spreads the 32 bits of v to the even bits of the result.
uint64_t Spread(uint32_t v) {
  uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x << 2)) & 0x3333333333333333ULL;
  x = (x | (x << 1)) & 0x5555555555555555ULL;
  return x;
}

// The even bits of v, packed.
uint32_t Squash(uint64_t x) {
  x &= 0x5555555555555555ULL;
  x = (x | (x >> 1)) & 0x3333333333333333ULL;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
  return static_cast<uint32_t>(x);
}

// Latitude in the even bits, longitude in the odd ones.
uint64_t Interleave(uint32_t lat, uint32_t lon) { return Spread(lat) | (Spread(lon) << 1); }

Area DecodeIn(Range lon_range, Range lat_range, Cell cell) {
  Area a;
  a.cell = cell;
  const uint32_t ilat = Squash(cell.bits);
  const uint32_t ilon = Squash(cell.bits >> 1);
  const double cells = static_cast<double>(1ULL << cell.step);
  const double lat_scale = lat_range.max - lat_range.min;
  const double lon_scale = lon_range.max - lon_range.min;
  a.latitude.min = lat_range.min + (ilat * 1.0 / cells) * lat_scale;
  a.latitude.max = lat_range.min + ((ilat + 1) * 1.0 / cells) * lat_scale;
  a.longitude.min = lon_range.min + (ilon * 1.0 / cells) * lon_scale;
  a.longitude.max = lon_range.min + ((ilon + 1) * 1.0 / cells) * lon_scale;
  return a;
}

// Moves a cell one step east (d > 0) or west (d < 0), wrapping around.
void MoveX(Cell* c, int d) {
  if (d == 0) return;
  uint64_t x = c->bits & 0xaaaaaaaaaaaaaaaaULL;
  const uint64_t y = c->bits & 0x5555555555555555ULL;
  const uint64_t zz = 0x5555555555555555ULL >> (64 - c->step * 2);
  if (d > 0) {
    x = x + (zz + 1);
  } else {
    x = x | zz;
    x = x - (zz + 1);
  }
  x &= (0xaaaaaaaaaaaaaaaaULL >> (64 - c->step * 2));
  c->bits = x | y;
}

// Moves a cell one step north (d > 0) or south (d < 0).
void MoveY(Cell* c, int d) {
  if (d == 0) return;
  const uint64_t x = c->bits & 0xaaaaaaaaaaaaaaaaULL;
  uint64_t y = c->bits & 0x5555555555555555ULL;
  const uint64_t zz = 0xaaaaaaaaaaaaaaaaULL >> (64 - c->step * 2);
  if (d > 0) {
    y = y + (zz + 1);
  } else {
    y = y | zz;
    y = y - (zz + 1);
  }
  y &= (0x5555555555555555ULL >> (64 - c->step * 2));
  c->bits = x | y;
}

Cell Moved(Cell c, int dx, int dy) {
  MoveX(&c, dx);
  MoveY(&c, dy);
  return c;
}

// The resolution whose cells are about as large as the search radius.
int StepsForRadius(double range_meters, double latitude) {
  if (range_meters == 0) return kStepMax;
  int step = 1;
  while (range_meters < kMercatorMax) {
    range_meters *= 2;
    step++;
  }
  step -= 2;  // make sure the range is inside the cell in most cases
  // Cells narrow towards the poles.
  if (latitude > 66 || latitude < -66) {
    step--;
    if (latitude > 80 || latitude < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > kStepMax) step = kStepMax;
  return step;
}

struct Bounds {
  double min_lon, min_lat, max_lon, max_lat;
};

Bounds BoundingBox(const Shape& s) {
  const double height = s.conversion * (s.kind == Shape::Kind::kRadius ? s.radius : s.height / 2);
  const double width = s.conversion * (s.kind == Shape::Kind::kRadius ? s.radius : s.width / 2);
  const double lon = s.center.longitude;
  const double lat = s.center.latitude;
  const double lat_delta = RadToDeg(height / kEarthRadiusMeters);
  const double lon_delta_top =
      RadToDeg(width / kEarthRadiusMeters / std::cos(DegToRad(lat + lat_delta)));
  const double lon_delta_bottom =
      RadToDeg(width / kEarthRadiusMeters / std::cos(DegToRad(lat - lat_delta)));
  // The widest parallel is the one nearer the equator.
  const bool southern = lat < 0;
  Bounds b;
  b.min_lon = southern ? lon - lon_delta_bottom : lon - lon_delta_top;
  b.max_lon = southern ? lon + lon_delta_bottom : lon + lon_delta_top;
  b.min_lat = lat - lat_delta;
  b.max_lat = lat + lat_delta;
  return b;
}

}  // namespace

bool ValidPosition(double longitude, double latitude) {
  return !(longitude < kLongitudeMin || longitude > kLongitudeMax || latitude < kLatitudeMin ||
           latitude > kLatitudeMax);
}

Cell EncodeIn(Range lon_range, Range lat_range, double longitude, double latitude, int step) {
  Cell c;
  c.step = static_cast<uint8_t>(step);
  double lat_offset = (latitude - lat_range.min) / (lat_range.max - lat_range.min);
  double lon_offset = (longitude - lon_range.min) / (lon_range.max - lon_range.min);
  lat_offset *= static_cast<double>(1ULL << step);
  lon_offset *= static_cast<double>(1ULL << step);
  c.bits = Interleave(static_cast<uint32_t>(lat_offset), static_cast<uint32_t>(lon_offset));
  return c;
}

Cell Encode(double longitude, double latitude, int step) {
  return EncodeIn(kLongitudeRange, kLatitudeRange, longitude, latitude, step);
}

Area Decode(Cell cell) { return DecodeIn(kLongitudeRange, kLatitudeRange, cell); }

Point CenterOf(const Area& a) {
  Point p;
  p.longitude = (a.longitude.min + a.longitude.max) / 2;
  if (p.longitude > kLongitudeMax) p.longitude = kLongitudeMax;
  if (p.longitude < kLongitudeMin) p.longitude = kLongitudeMin;
  p.latitude = (a.latitude.min + a.latitude.max) / 2;
  if (p.latitude > kLatitudeMax) p.latitude = kLatitudeMax;
  if (p.latitude < kLatitudeMin) p.latitude = kLatitudeMin;
  return p;
}

Point PointOfScore(double score) {
  Cell c;
  c.bits = static_cast<uint64_t>(score);
  c.step = kStepMax;
  return CenterOf(Decode(c));
}

double ScoreOf(double longitude, double latitude) {
  const Cell c = Encode(longitude, latitude, kStepMax);
  return static_cast<double>(c.bits << (52 - c.step * 2));
}

std::string GeohashString(double score) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  const Point p = PointOfScore(score);
  const Cell c = EncodeIn(Range{-180, 180}, Range{-90, 90}, p.longitude, p.latitude, kStepMax);
  std::string out(11, '0');
  // 52 bits make ten characters and two bits; the eleventh is '0', as Redis
  // outputs it.
  for (int i = 0; i < 10; ++i) out[i] = kAlphabet[(c.bits >> (52 - (i + 1) * 5)) & 0x1f];
  return out;
}

double LatitudeDistance(double lat1, double lat2) {
  return kEarthRadiusMeters * std::fabs(DegToRad(lat2) - DegToRad(lat1));
}

double Distance(Point a, Point b) {
  const double lon1r = DegToRad(a.longitude);
  const double lon2r = DegToRad(b.longitude);
  const double v = std::sin((lon2r - lon1r) / 2);
  // On one meridian the cheaper formula is exact.
  if (v == 0.0) return LatitudeDistance(a.latitude, b.latitude);
  const double lat1r = DegToRad(a.latitude);
  const double lat2r = DegToRad(b.latitude);
  const double u = std::sin((lat2r - lat1r) / 2);
  const double h = u * u + std::cos(lat1r) * std::cos(lat2r) * v * v;
  return 2.0 * kEarthRadiusMeters * std::asin(std::sqrt(h));
}

bool Within(const Shape& s, Point p, double* distance) {
  if (s.kind == Shape::Kind::kRadius) {
    *distance = Distance(s.center, p);
    return *distance <= s.radius * s.conversion;
  }
  // The latitude side first: it is the cheaper one.
  const double width_m = s.width * s.conversion;
  const double height_m = s.height * s.conversion;
  if (LatitudeDistance(p.latitude, s.center.latitude) > height_m / 2) return false;
  const double lon_distance =
      Distance(Point{p.longitude, p.latitude}, Point{s.center.longitude, p.latitude});
  if (lon_distance > width_m / 2) return false;
  *distance = Distance(s.center, p);
  return true;
}

std::array<Cell, 9> SearchCells(const Shape& s) {
  const double lon = s.center.longitude;
  const double lat = s.center.latitude;
  const double radius_m =
      (s.kind == Shape::Kind::kRadius
           ? s.radius
           : std::sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2))) *
      s.conversion;
  const Bounds b = BoundingBox(s);
  int steps = StepsForRadius(radius_m, lat);
  Cell center = Encode(lon, lat, steps);
  auto neighbours = [](Cell c) {
    // north, south, east, west, north-east, north-west, south-east, south-west
    return std::array<Cell, 8>{Moved(c, 0, 1), Moved(c, 0, -1), Moved(c, 1, 0),  Moved(c, -1, 0),
                               Moved(c, 1, 1), Moved(c, -1, 1), Moved(c, 1, -1), Moved(c, -1, -1)};
  };
  std::array<Cell, 8> n = neighbours(center);
  Area area = Decode(center);
  // Near a cell's edge the estimated step may be too fine for the shape to
  // fit in the nine cells: one step coarser then.
  const Area north = Decode(n[0]), south = Decode(n[1]), east = Decode(n[2]), west = Decode(n[3]);
  const bool decrease = north.latitude.max < b.max_lat || south.latitude.min > b.min_lat ||
                        east.longitude.max < b.max_lon || west.longitude.min > b.min_lon;
  if (steps > 1 && decrease) {
    steps--;
    center = Encode(lon, lat, steps);
    n = neighbours(center);
    area = Decode(center);
  }
  // Cells entirely outside the bounding box are not read.
  if (steps >= 2) {
    const Cell none;
    if (area.latitude.min < b.min_lat) n[1] = n[7] = n[6] = none;   // south, SW, SE
    if (area.latitude.max > b.max_lat) n[0] = n[4] = n[5] = none;   // north, NE, NW
    if (area.longitude.min < b.min_lon) n[3] = n[7] = n[5] = none;  // west, SW, NW
    if (area.longitude.max > b.max_lon) n[2] = n[6] = n[4] = none;  // east, SE, NE
  }
  return {center, n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7]};
}

Range ScoresOf(Cell cell) {
  const int shift = 52 - cell.step * 2;
  return Range{static_cast<double>(cell.bits << shift),
               static_cast<double>((cell.bits + 1) << shift)};
}

double MetersPerUnit(const std::string& unit) {
  const std::string u = absl::AsciiStrToLower(unit);
  if (u == "m") return 1;
  if (u == "km") return 1000;
  if (u == "ft") return 0.3048;
  if (u == "mi") return 1609.34;
  return 0;
}

}  // namespace stashd::store::geo
