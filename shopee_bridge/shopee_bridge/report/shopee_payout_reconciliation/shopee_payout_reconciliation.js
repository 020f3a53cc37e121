frappe.query_reports["Shopee Payout Reconciliation"] = {
	filters: [
		{
			fieldname: "shop",
			label: __("Shopee Shop"),
			fieldtype: "Link",
			options: "Shopee Shop",
			reqd: 1,
		},
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			reqd: 1,
			default: frappe.datetime.add_months(frappe.datetime.get_today(), -1),
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			reqd: 1,
			default: frappe.datetime.get_today(),
		},
	],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (data && data.unmatched && column.fieldname === "note") {
			value = `<span style="color: var(--red-500)">${value}</span>`;
		}
		return value;
	},
};
