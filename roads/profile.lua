-- Siaga 110 vehicle profile: OSRM's own car.lua with the speeds, sizes and access rules of one
-- vehicle kind from roads/speeds.toml. `siaga roads build` writes this file with two lines in
-- front of it: OSRM_PROFILES (the profiles folder of the installed osrm-bindings wheel) and
-- SIAGA (the kind's settings as a Lua table).

package.path = OSRM_PROFILES .. '/?.lua;' .. package.path
local base = dofile(OSRM_PROFILES .. '/' .. SIAGA.base .. '.lua')

local function motorcycle_access(profile)
  -- OSRM reads access tags from the most specific one present: motorcycle=yes on a gang
  -- opens it even where motorcar=destination or motor_vehicle=private closes it for cars.
  profile.access_tags_hierarchy = Sequence { 'motorcycle', 'motor_vehicle', 'vehicle', 'access' }
  profile.restrictions = Sequence { 'motorcycle', 'motor_vehicle', 'vehicle' }
  profile.access_tag_whitelist['motorcycle'] = true
  profile.restricted_highway_whitelist['track'] = true
  profile.restricted_highway_whitelist['path'] = true
end

function setup()
  local profile = base.setup()
  profile.speeds = Sequence { highway = SIAGA.highway_kmh }
  profile.vehicle_width = SIAGA.vehicle_width_m
  profile.vehicle_height = SIAGA.vehicle_height_m
  profile.speed_reduction = SIAGA.speed_reduction
  if SIAGA.motorcycle then
    motorcycle_access(profile)
  end
  return profile
end

local function is_toll(way)
  local highway = way:get_value_by_key('highway') or ''
  return way:get_value_by_key('toll') == 'yes' or highway == 'motorway' or highway == 'motorway_link'
end

function process_way(profile, way, result, relations)
  if not SIAGA.allow_toll and is_toll(way) then
    return
  end
  base.process_way(profile, way, result, relations)
end

return {
  setup = setup,
  process_way = process_way,
  process_node = base.process_node,
  process_turn = base.process_turn
}
