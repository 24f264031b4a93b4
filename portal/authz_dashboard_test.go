package portal

// The authorisation rows of the office's supervision dashboard, deadline
// campaigns, annual report tables and supervision settings.
func init() {
	matrix["console.supervision"] = want{ok: office, status: 200}
	matrix["console.supervision.xlsx"] = want{ok: office, status: 200}
	matrix["console.supervision.unit"] = want{ok: office, status: 200}
	matrix["console.supervision.run"] = want{ok: office, status: 303}
}
