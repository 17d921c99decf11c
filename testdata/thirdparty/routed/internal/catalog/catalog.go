// Package catalog answers item look-ups by id, SKU or slug.
package catalog

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"go.uber.org/zap"
)

type Catalog struct {
	log *zap.Logger
}

func New(log *zap.Logger) *Catalog { return &Catalog{log: log} }

// Serve answers /catalog/*. The fault: it builds the sub-router (Routes) per request.
func (c *Catalog) Serve(w http.ResponseWriter, r *http.Request) {
	http.StripPrefix("/catalog", c.Routes()).ServeHTTP(w, r)
}

// Routes builds the catalog's router: one route per kind of key, each matched by a
// regular expression that chi compiles when the route is added.
func (c *Catalog) Routes() http.Handler {
	r := chi.NewRouter()
	for _, k := range kinds {
		k := k
		r.Get(fmt.Sprintf("/%s/{key:%s}", k.name, k.pattern), func(w http.ResponseWriter, r *http.Request) {
			c.log.Debug("lookup", zap.String("kind", k.name))
			fmt.Fprintf(w, "%s %s\n", k.name, strings.ToUpper(chi.URLParam(r, "key")))
		})
	}
	return r
}

var kinds = []struct{ name, pattern string }{
	{"id", `[0-9]{1,12}`},
	{"sku", `[A-Z]{3}-[0-9]{4}(-[A-Z]{2})?`},
	{"slug", `[a-z0-9]+(-[a-z0-9]+){0,8}`},
	{"ean", `[0-9]{13}`},
	{"isbn", `97[89][0-9]{10}`},
	{"upc", `[0-9]{12}`},
	{"asin", `B[0-9A-Z]{9}`},
	{"color", `(red|green|blue|black|white|grey)(-(light|dark))?`},
	{"size", `(XXS|XS|S|M|L|XL|XXL)|[0-9]{2}(\.5)?`},
	{"date", `[0-9]{4}-[0-9]{2}-[0-9]{2}`},
	{"lot", `L[0-9]{6}[A-F]`},
	{"vendor", `v-[a-z]{2,16}`},
}
