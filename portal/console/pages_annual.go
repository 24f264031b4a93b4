package console

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/supervise"
)

type annualView struct {
	Office  bool
	Units   []catalog.Unit
	Unit    string
	Year    int
	Years   []int
	R       *supervise.AnnualReport
	Export  string
	Errors  map[string]string
	NoUnits bool
}

// annualParams reads ?unit= and ?year=: the office's chosen unit (the
// first in the city's order by default), a unit role's own unless it asks
// for another; the past year by default, the annual report being due by
// 31 January for it.
func (c *Console) annualParams(r *http.Request, p auth.Principal, units []catalog.Unit) (string, int, catalog.FieldErrors) {
	q := r.URL.Query()
	unit := strings.TrimSpace(q.Get("unit"))
	if unit == "" {
		switch {
		case auth.IsOffice(p) && len(units) > 0:
			unit = units[0].Code
		case p.Role.NeedsUnit():
			unit = p.Unit
		}
	}
	year := c.Supervise.Now().In(catalog.Shanghai).Year() - 1
	if s := strings.TrimSpace(q.Get("year")); s != "" {
		y, err := strconv.Atoi(s)
		if err != nil {
			return unit, year, catalog.FieldErrors{{Field: "year", Reason: "年度应为四位数字，如 2025"}}
		}
		year = y
	}
	return unit, year, nil
}

// annualPage shows a unit's annual report tables for a year, filled as
// far as the catalog knows.
func (c *Console) annualPage(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	units, err := c.Store.Units(r.Context())
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	unit, year, fe := c.annualParams(r, p, units)
	v := annualView{Office: auth.IsOffice(p), Unit: unit, Year: year}
	if v.Office {
		v.Units = units
	}
	now := c.Supervise.Now().In(catalog.Shanghai).Year()
	for y := now; y >= now-9; y-- {
		v.Years = append(v.Years, y)
	}
	status := http.StatusOK
	if fe == nil {
		rep, err := c.Supervise.AnnualReport(r.Context(), caller(r), unit, year)
		switch {
		case errors.As(err, &fe):
		case err != nil:
			c.pageFail(w, r, err) // a refusal is audited by the service
			return
		default:
			v.R = rep
			v.Export = "/console/annual/export.xlsx?" + url.Values{"unit": {unit}, "year": {strconv.Itoa(year)}}.Encode()
		}
	}
	if fe != nil {
		status, v.Errors = http.StatusBadRequest, fieldMap(fe)
	}
	pg := c.newPage(r, "年报统计")
	pg.Data = v
	c.render(w, r, status, "annual.html", pg)
}

// annualExport writes a unit's annual report tables as a workbook for
// the unit to complete.
func (c *Console) annualExport(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	units, err := c.Store.Units(r.Context())
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	unit, year, fe := c.annualParams(r, p, units)
	if fe != nil {
		c.pageFail(w, r, fe)
		return
	}
	rep, err := c.Supervise.AnnualReport(r.Context(), caller(r), unit, year)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := supervise.WriteAnnualXLSX(&buf, rep); err != nil {
		c.pageFail(w, r, err)
		return
	}
	writeDownload(w, r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		fmt.Sprintf("annual-%s-%d.xlsx", rep.Unit.Code, year), fmt.Sprintf("%s%d年报统计.xlsx", rep.Unit.Name, year), buf.Bytes())
}
