-- Conditional text on the data, for both render paths (Quarto runs this filter; `svreport.shortcodes`
-- applies the same rule on the pandoc path):
--
--   ::: {.when-data has="compare.committed.total"}   shown only when that variable exists
--   ::: {.unless-data has="compare.committed.total"} shown only when it does not
--   (has= may list several variables, separated by spaces: all must exist)
--
-- so a first report, with no previous report to compare with, leaves its comparison sentences out.
-- The variables are read from _generated/variables.json beside the document, which the pre-render
-- step writes from _variables.yml.

local variables = nil

local function load_variables(doc_dir)
  local file = io.open(doc_dir .. '/_generated/variables.json', 'r')
  if not file then
    error('_generated/variables.json is missing (the pre-render step `svreport prepare-report` writes it)')
  end
  local text = file:read('a')
  file:close()
  return pandoc.json.decode(text, false)
end

local function has(key)
  local node = variables
  for part in key:gmatch('[^.]+') do
    if type(node) ~= 'table' or node[part] == nil then return false end
    node = node[part]
  end
  return true
end

local function document_dir()
  if quarto and quarto.doc and quarto.doc.input_file then
    return quarto.doc.input_file:match('^(.*)[/\\]') or '.'
  end
  return os.getenv('SVREPORT_DOC_DIR') or '.'
end

return {
  {
    Div = function(div)
      local when, unless = div.classes:includes('when-data'), div.classes:includes('unless-data')
      if not when and not unless then return nil end
      variables = variables or load_variables(document_dir())
      local key = div.attributes['has'] or error('a .when-data or .unless-data block needs has="variable"')
      local present = true
      for one in key:gmatch('%S+') do present = present and has(one) end
      if present == when then return div.content end
      return {}
    end,
  },
}
