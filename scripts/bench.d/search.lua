-- wrk script: member searches as people type them (a name part, pinyin in full or as
-- initials, a mobile's last four digits), each with a city and a category, in turn.
-- Set by scripts/bench: cities (org ids, comma-separated) and the session cookie.
local words = {
  "%E7%8E%8B",                 -- 王
  "%E5%BC%A0%E4%BC%9F",        -- 张伟
  "zhangwei", "wangjun", "lihua", "liuyang",
  "zw", "wjh", "lm", "zxm",
  "%E6%99%93%E6%98%8E",        -- 晓明
  "%E5%88%98",                 -- 刘
  "%E4%BA%94%E4%B8%AD",        -- 五中
  "8000", "1234",
}
local categories = { "", "ordinary", "senior" }
local cities = {}
for c in string.gmatch(os.getenv("BENCH_CITIES") or "", "[^,]+") do cities[#cities + 1] = c end
if #cities == 0 then cities = { "" } end
local cookie = os.getenv("BENCH_COOKIE") or ""
-- BENCH_TOKEN set: the same searches through the API with a personal token.
local token = os.getenv("BENCH_TOKEN") or ""
local i = 0

request = function()
  i = i + 1
  local q = words[(i % #words) + 1]
  local city = cities[(i % #cities) + 1]
  local cat = categories[(i % #categories) + 1]
  local query = "?q=" .. q .. "&city=" .. city .. "&category=" .. cat
  if token ~= "" then
    return wrk.format("GET", "/api/v1/members" .. query, { ["Authorization"] = "Bearer " .. token })
  end
  return wrk.format("GET", "/admin/members" .. query, { ["Cookie"] = "hy_session=" .. cookie })
end
