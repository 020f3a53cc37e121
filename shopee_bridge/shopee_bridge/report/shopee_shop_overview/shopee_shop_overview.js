frappe.query_reports["Shopee Shop Overview"] = {
	filters: [],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "status" && data && data.status !== "Connected") {
			value = `<span class="indicator-pill red">${value}</span>`;
		}
		return value;
	},
};
