package console

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/supervise"
)

var _ = addNotices(map[string]string{
	"campaign_created": "专项督查已创建，各单位的进度见下表。",
})

type campaignsView struct {
	Campaigns []supervise.CampaignProgress
	Leaves    []catalog.Column
	Form      supervise.CampaignForm
	Errors    map[string]string
	Message   string
	Today     string
}

// campaignsPage lists the deadline campaigns with their progress and the
// form for a new one.
func (c *Console) campaignsPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.supervisorOnly(w, r); !ok {
		return
	}
	c.renderCampaigns(w, r, http.StatusOK, supervise.CampaignForm{}, nil, "")
}

func (c *Console) renderCampaigns(w http.ResponseWriter, r *http.Request, status int, form supervise.CampaignForm, fe catalog.FieldErrors, msg string) {
	sv := c.Supervise
	list, err := sv.Campaigns(r.Context())
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	leaves, err := sv.TemplateLeaves(r.Context())
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	v := campaignsView{Campaigns: list, Leaves: leaves, Form: form, Errors: fieldMap(fe), Message: msg,
		Today: sv.Now().In(catalog.Shanghai).Format(time.DateOnly)}
	pg := c.newPage(r, "专项督查")
	pg.Data = v
	c.render(w, r, status, "campaigns.html", pg)
}

// createCampaignPost creates a campaign from the office's form.
func (c *Console) createCampaignPost(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		c.pageFail(w, r, catalog.FieldErrors{{Field: "body", Reason: "表单无法读取"}})
		return
	}
	form := supervise.CampaignForm{Title: r.PostForm.Get("title"), Start: r.PostForm.Get("start"),
		Deadline: r.PostForm.Get("deadline"), Columns: r.PostForm["columns"]}
	camp, err := c.Supervise.CreateCampaign(r.Context(), caller(r), form)
	if err != nil {
		status, _, _, fe := c.classify(r, err)
		if fe == nil {
			c.pageFail(w, r, err) // a refusal is audited by the service
			return
		}
		c.renderCampaigns(w, r, status, form, fe, "专项督查未创建，请按提示修改后重新提交。")
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/console/campaigns/%d?done=campaign_created", camp.ID), http.StatusSeeOther)
}

type campaignView struct {
	P      *supervise.CampaignProgress
	Behind []supervise.CampaignUnit
	Rows   []campaignRow
}

type campaignRow struct {
	supervise.CampaignUnit
	State, Class string
}

// campaignPage shows one campaign's progress unit by unit, the units
// behind first with the columns they miss.
func (c *Console) campaignPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.supervisorOnly(w, r); !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		c.pageFail(w, r, store.ErrNotFound)
		return
	}
	prog, err := c.Supervise.CampaignProgress(r.Context(), id)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	v := campaignView{P: prog}
	for _, u := range prog.Units {
		row := campaignRow{CampaignUnit: u, State: "未完成", Class: "bad"}
		switch {
		case !u.Applies:
			row.State, row.Class = "不涉及", "na"
		case u.Done:
			row.State, row.Class = "已完成", "ok"
		default:
			v.Behind = append(v.Behind, u)
		}
		v.Rows = append(v.Rows, row)
	}
	pg := c.newPage(r, prog.Campaign.Title+" - 专项督查")
	pg.Data = v
	c.render(w, r, http.StatusOK, "campaign.html", pg)
}
