// The geohash arithmetic behind the GEO commands, against values a real
// redis-server 7.0.15 gave for the same inputs (GEOADD then ZSCORE, GEOPOS,
// GEODIST, GEOHASH, GEORADIUS).
#include "store/geo.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace stashd::store::geo {
namespace {

// GEOPOS's format: %.17Lf without trailing zeros.
std::string Human(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17Lf", static_cast<long double>(v));
  std::string s(buf);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

TEST(GeoTest, ScoresMatchRedis) {
  EXPECT_EQ(ScoreOf(13.361389, 38.115556), 3479099956230698.0);
  EXPECT_EQ(ScoreOf(15.087269, 37.502669), 3479447370796909.0);
  EXPECT_EQ(ScoreOf(-122.27652, 37.805186), 1367952638197536.0);
  EXPECT_EQ(ScoreOf(179.9999, 85.05), 4503599627286694.0);
  EXPECT_EQ(ScoreOf(-179.9999, -85.05), 83801.0);
}

TEST(GeoTest, PositionsMatchRedis) {
  Point p = PointOfScore(3479099956230698.0);
  EXPECT_EQ(Human(p.longitude), "13.36138933897018433");
  EXPECT_EQ(Human(p.latitude), "38.11555639549629859");
  p = PointOfScore(83801.0);
  EXPECT_EQ(Human(p.longitude), "-179.99990075826644897");
  EXPECT_EQ(Human(p.latitude), "-85.04999956172352427");
}

TEST(GeoTest, DistancesAndHashesMatchRedis) {
  const Point palermo = PointOfScore(3479099956230698.0);
  const Point catania = PointOfScore(3479447370796909.0);
  const Point sf = PointOfScore(1367952638197536.0);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", Distance(palermo, catania));
  EXPECT_STREQ(buf, "166274.1516");
  std::snprintf(buf, sizeof buf, "%.4f", Distance(palermo, sf) / 1000);
  EXPECT_STREQ(buf, "10431.6657");
  EXPECT_EQ(GeohashString(3479099956230698.0), "sqc8b49rny0");
  EXPECT_EQ(GeohashString(3479447370796909.0), "sqdtr74hyu0");
  EXPECT_EQ(GeohashString(1367952638197536.0), "9q9p1d0znt0");
  EXPECT_EQ(GeohashString(4503599627286694.0), "zzpgzfzujt0");
  EXPECT_EQ(GeohashString(83801.0), "00bh0j05f60");
}

TEST(GeoTest, SearchCellsCoverTheShape) {
  // GEORADIUS Sicily 15 37 200 km finds both cities, in this order
  // (Palermo's cell is read first), at these distances.
  Shape s;
  s.center = {15, 37};
  s.radius = 200;
  s.conversion = 1000;
  const double palermo = 3479099956230698.0;
  const double catania = 3479447370796909.0;
  std::vector<std::string> found;
  const auto cells = SearchCells(s);
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].empty()) continue;
    if (i > 0 && cells[i].bits == cells[i - 1].bits) continue;
    const Range r = ScoresOf(cells[i]);
    for (auto [name, score] : {std::pair{"Palermo", palermo}, std::pair{"Catania", catania}}) {
      double d;
      if (score >= r.min && score < r.max && Within(s, PointOfScore(score), &d)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%s %.4f", name, d / s.conversion);
        found.push_back(buf);
      }
    }
  }
  EXPECT_EQ(found, (std::vector<std::string>{"Palermo 190.4424", "Catania 56.4413"}));
  // A box: sides in km, both inside a 400 km square.
  s.kind = Shape::Kind::kBox;
  s.width = s.height = 400;
  double d;
  EXPECT_TRUE(Within(s, PointOfScore(palermo), &d));
  s.width = 100;
  EXPECT_FALSE(Within(s, PointOfScore(palermo), &d));
}

TEST(GeoTest, ValidRangeAndUnits) {
  EXPECT_TRUE(ValidPosition(180, 85.05112878));
  EXPECT_FALSE(ValidPosition(180.0001, 0));
  EXPECT_FALSE(ValidPosition(0, 85.06));
  EXPECT_EQ(MetersPerUnit("KM"), 1000);
  EXPECT_EQ(MetersPerUnit("mi"), 1609.34);
  EXPECT_EQ(MetersPerUnit("ft"), 0.3048);
  EXPECT_EQ(MetersPerUnit("m"), 1);
  EXPECT_EQ(MetersPerUnit("yd"), 0);
}

}  // namespace
}  // namespace stashd::store::geo
