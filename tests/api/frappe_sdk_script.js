// Drives this site's API with the published Frappe JavaScript client (frappe-js-sdk).
// Run by test_frappe_js_sdk.py with SITE_URL, API_KEY, API_SECRET, USERNAME, PASSWORD set.
const { FrappeApp } = require("frappe-js-sdk");

const REQ = "Material Requisition";

async function main() {
  const url = process.env.SITE_URL;
  const token = () => `${process.env.API_KEY}:${process.env.API_SECRET}`;
  const app = new FrappeApp(url, { useToken: true, token, type: "token" });
  const db = app.db();
  const out = {};

  out.loggedUser = await app.auth().getLoggedInUser();
  out.list = await db.getDocList(REQ, {
    fields: ["name", "purpose", "grand_total"],
    filters: [["docstatus", "=", 0]],
    orderBy: { field: "name", order: "asc" },
    limit: 10,
  });
  out.doc = await db.getDoc(REQ, out.list[0].name);
  out.created = await db.createDoc(REQ, {
    purpose: "SDK 新建",
    items: [{ item: "A4-70", qty: 3, rate: 23.5 }],
  });
  out.updated = await db.updateDoc(REQ, out.created.name, { remarks: "SDK 修改" });
  out.submitted = await db.submit(out.updated);
  out.count = await db.getCount(REQ, [["docstatus", "=", 1]]);
  out.value = await db.getValue(REQ, ["purpose"], [["name", "=", out.created.name]]);
  try {
    await db.getDoc(REQ, "NO-SUCH-DOC");
    out.missing = "no error";
  } catch (error) {
    out.missing = { httpStatus: error.httpStatus, exc_type: error.exc_type };
  }
  const session = new FrappeApp(url);
  out.login = await session.auth().loginWithUsernamePassword({
    username: process.env.USERNAME,
    password: process.env.PASSWORD,
  });
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(JSON.stringify(error, Object.getOwnPropertyNames(error)));
  process.exit(1);
});
