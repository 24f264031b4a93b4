package console

import (
	"net/http"

	"gongkai/internal/auth"
	"gongkai/internal/checks"
)

type checksView struct {
	Available bool
	Status    checks.FitStatus
}

// checksPage shows the office how the column-fit model in force came
// about: when it was trained, on how many entries, its held-out accuracy.
func (c *Console) checksPage(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanReview(p); err != nil {
		c.refusePage(w, r, err)
		return
	}
	v := checksView{Available: c.ColumnFit != nil}
	if v.Available {
		v.Status = c.ColumnFit.Status()
	}
	pg := c.newPage(r, "质量检查")
	pg.Data = v
	c.render(w, r, http.StatusOK, "checks.html", pg)
}

// retrainPost asks for a new column-fit model from what is published now.
func (c *Console) retrainPost(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanReview(p); err != nil {
		c.refusePage(w, r, err)
		return
	}
	if c.ColumnFit != nil {
		c.ColumnFit.Retrain()
	}
	if err := c.auditRecord(r, "checks.retrain", "model", "column_fit", "", "retrain asked for"); err != nil {
		c.pageFail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/checks?done=retraining", http.StatusSeeOther)
}
