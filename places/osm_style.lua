-- osm2pgsql flex style for Siaga 110: streets and named places, into a staging schema.
-- The importer (places/osm_import.py) copies these tables into the live ones in one
-- transaction; the schema comes from SIAGA_OSM_SCHEMA so a failed run never touches them.

local schema = os.getenv('SIAGA_OSM_SCHEMA') or 'siaga_osm_stage'

-- Road classes the basemap and the street search know; anything else is not a street.
local street_classes = {
    motorway = true, trunk = true, primary = true, secondary = true, tertiary = true,
    unclassified = true, residential = true, living_street = true, service = true,
    motorway_link = true, trunk_link = true, primary_link = true, secondary_link = true,
    tertiary_link = true, road = true, pedestrian = true, track = true,
}

-- Keys whose value says what a named place is, in order of precedence.
local place_keys = {
    'amenity', 'shop', 'tourism', 'office', 'leisure', 'healthcare', 'historic',
    'craft', 'man_made', 'railway', 'aeroway', 'public_transport', 'place', 'building',
}

local streets = osm2pgsql.define_table({
    name = 'streets', schema = schema,
    ids = { type = 'way', id_column = 'osm_id' },
    columns = {
        { column = 'name', type = 'text' },
        { column = 'ref', type = 'text' },
        { column = 'class', type = 'text', not_null = true },
        { column = 'oneway', type = 'bool' },
        { column = 'geom', type = 'linestring', projection = 4326, not_null = true },
    },
})

local places = osm2pgsql.define_table({
    name = 'places', schema = schema,
    ids = { type = 'any', type_column = 'osm_type', id_column = 'osm_id' },
    columns = {
        { column = 'name', type = 'text', not_null = true },
        { column = 'kind', type = 'text', not_null = true },
        { column = 'tags', type = 'jsonb' },
        { column = 'geom', type = 'point', projection = 4326, not_null = true },
    },
})

local function oneway(value)
    if value == 'yes' or value == '1' or value == 'true' or value == '-1' then return true end
    return false
end

-- The tags a place keeps: its address and what describes it.
local function place_tags(tags)
    local kept = {}
    for key, value in pairs(tags) do
        if key:sub(1, 5) == 'addr:' or key == 'brand' or key == 'operator' or key == 'alt_name'
            or key == 'old_name' or key == 'short_name' or key == 'official_name'
            or key == 'religion' or key == 'opening_hours' or key == 'phone' then
            kept[key] = value
        end
    end
    return kept
end

local function place_kind(tags)
    for _, key in ipairs(place_keys) do
        local value = tags[key]
        if value and value ~= 'no' then return key .. '=' .. value end
    end
    return nil
end

local function insert_place(object, geom)
    local name = object.tags.name
    if not name then return end
    local kind = place_kind(object.tags)
    if not kind then return end
    places:insert({ name = name, kind = kind, tags = place_tags(object.tags), geom = geom })
end

function osm2pgsql.process_node(object)
    insert_place(object, object:as_point())
end

function osm2pgsql.process_way(object)
    local highway = object.tags.highway
    if highway and street_classes[highway] then
        streets:insert({
            name = object.tags.name, ref = object.tags.ref, class = highway,
            oneway = oneway(object.tags.oneway), geom = object:as_linestring(),
        })
        return
    end
    if object.is_closed then
        insert_place(object, object:as_polygon():centroid())
    end
end

function osm2pgsql.process_relation(object)
    if object.tags.type == 'multipolygon' then
        insert_place(object, object:as_multipolygon():centroid())
    end
end
