package main

import (
	"math"
	"math/rand"
	"sort"
	"strconv"
	"strings"
)

type place struct {
	ID         uint32
	Name       string
	AltNames   []string
	Postcode   string
	Region     *region
	Kind       uint8
	Lat, Lon   float32
	Elevation  int16
	Population uint32
	Neighbours [6]uint32
}

type region struct {
	Code    string
	Name    string
	Country string
	TZ      string
	Places  int
	Pop     uint64
}

type cellKey struct{ Lat, Lon int16 }

type gazetteer struct {
	places     []place
	byPostcode map[string]uint32
	byName     map[string][]uint32
	grid       map[cellKey][]uint32
	regions    map[string]*region
}

var kindNames = []string{"city", "town", "village", "hamlet", "suburb", "locality"}

var syllables = []string{"ash", "brook", "ford", "ham", "ley", "ton", "wick", "by", "thorpe", "stead",
	"mere", "well", "field", "bury", "dale", "wood", "stow", "cot", "holm", "worth"}

const cellsPerDegree = 10

func cellOf(lat, lon float32) cellKey {
	return cellKey{int16(math.Floor(float64(lat) * cellsPerDegree)), int16(math.Floor(float64(lon) * cellsPerDegree))}
}

func buildGazetteer(n int, seed int64) *gazetteer {
	rng := rand.New(rand.NewSource(seed))
	g := &gazetteer{
		places:     make([]place, n),
		byPostcode: make(map[string]uint32, n),
		byName:     make(map[string][]uint32, n/2),
		grid:       make(map[cellKey][]uint32),
		regions:    make(map[string]*region),
	}
	countries := []string{"GB", "IE", "FR", "DE", "NL", "BE", "ES", "PT", "IT", "AT"}
	tzs := []string{"Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Berlin", "Europe/Amsterdam",
		"Europe/Brussels", "Europe/Madrid", "Europe/Lisbon", "Europe/Rome", "Europe/Vienna"}
	regionList := make([]*region, 0, 400)
	for ci, cc := range countries {
		for r := 0; r < 40; r++ {
			reg := &region{Code: cc + "-" + strconv.Itoa(r+1), Name: cc + " region " + strconv.Itoa(r+1), Country: cc, TZ: tzs[ci]}
			g.regions[reg.Code] = reg
			regionList = append(regionList, reg)
		}
	}
	var sb strings.Builder
	for i := 0; i < n; i++ {
		p := &g.places[i]
		p.ID = uint32(i)
		sb.Reset()
		k := 2 + rng.Intn(2)
		for j := 0; j < k; j++ {
			sb.WriteString(syllables[rng.Intn(len(syllables))])
		}
		name := strings.Title(sb.String())
		p.Name = name
		if rng.Intn(4) == 0 {
			p.AltNames = []string{name + " " + []string{"Upper", "Lower", "Great", "Little"}[rng.Intn(4)], strings.ToLower(name)}
		}
		p.Postcode = "P" + strconv.Itoa(i)
		p.Region = regionList[rng.Intn(len(regionList))]
		p.Kind = uint8(rng.Intn(len(kindNames)))
		p.Lat = float32(36 + rng.Float64()*22)
		p.Lon = float32(-10 + rng.Float64()*26)
		p.Elevation = int16(rng.Intn(1800))
		p.Population = uint32(rng.ExpFloat64() * 2000)
		p.Region.Places++
		p.Region.Pop += uint64(p.Population)

		g.byPostcode[p.Postcode] = p.ID
		key := strings.ToLower(name)
		g.byName[key] = append(g.byName[key], p.ID)
		c := cellOf(p.Lat, p.Lon)
		g.grid[c] = append(g.grid[c], p.ID)
	}
	for i := range g.places {
		p := &g.places[i]
		cands := g.grid[cellOf(p.Lat, p.Lon)]
		for j := range p.Neighbours {
			p.Neighbours[j] = cands[rng.Intn(len(cands))]
		}
	}
	return g
}

func distanceKm(aLat, aLon, bLat, bLon float32) float64 {
	const r = 6371.0
	la1, la2 := float64(aLat)*math.Pi/180, float64(bLat)*math.Pi/180
	dLat := la2 - la1
	dLon := float64(bLon-aLon) * math.Pi / 180
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

type hit struct {
	ID   uint32
	Dist float64
}

// within returns up to limit places within radiusKm of (lat, lon), nearest first.
func (g *gazetteer) within(lat, lon float32, radiusKm float64, limit int) []hit {
	span := int16(math.Ceil(radiusKm/111*cellsPerDegree)) + 1
	c := cellOf(lat, lon)
	dLat := float32(radiusKm / 111)
	dLon := float32(radiusKm / (111 * math.Cos(float64(lat)*math.Pi/180)))
	var hits []hit
	for dy := -span; dy <= span; dy++ {
		for dx := -span; dx <= span; dx++ {
			for _, id := range g.grid[cellKey{c.Lat + dy, c.Lon + dx}] {
				p := &g.places[id]
				if p.Lat < lat-dLat || p.Lat > lat+dLat || p.Lon < lon-dLon || p.Lon > lon+dLon {
					continue
				}
				if d := distanceKm(lat, lon, p.Lat, p.Lon); d <= radiusKm {
					hits = append(hits, hit{id, d})
				}
			}
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].Dist < hits[j].Dist })
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits
}
