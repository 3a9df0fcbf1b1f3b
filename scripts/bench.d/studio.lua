-- Bookings of one studio resource at random slots: POST /api/v1/studio/bookings with a
-- personal token. STUDIO_DAYS: space-separated YYYY-MM-DD days open for booking;
-- STUDIO_RESOURCE: the resource's id. Every answer is a decision (201 booked, 409 taken).
local days = {}
for d in string.gmatch(os.getenv("STUDIO_DAYS") or "", "%S+") do days[#days + 1] = d end
local resource = os.getenv("STUDIO_RESOURCE") or "1"
local starts = {}
for h = 9, 15 do
  starts[#starts + 1] = string.format("%02d:00", h)
  starts[#starts + 1] = string.format("%02d:30", h)
end
local counts = {}

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("STUDIO_TOKEN") or "")

function request()
  local day = days[math.random(#days)]
  local i = math.random(#starts)
  local from = starts[i]
  local h, m = from:match("(%d+):(%d+)")
  local to = string.format("%02d:%s", tonumber(h) + 1, m)
  local body = string.format('{"resource_id": %s, "day": "%s", "starts": "%s", "ends": "%s", "purpose": "科技活动", "participants": 10}', resource, day, from, to)
  return wrk.format(nil, "/api/v1/studio/bookings", nil, body)
end
