-- Test harness: call report/style/generated.lua the way Quarto calls a shortcode, with pandoc alone.
-- A paragraph that is exactly {{< generated NAME >}} is replaced by what the shortcode returns.
-- Metadata: harness-input-file (the .qmd, absolute), harness-project-dir (absolute), harness-shortcodes.

local function meta_string(meta, key)
  return meta[key] and pandoc.utils.stringify(meta[key]) or nil
end

function Pandoc(doc)
  quarto = {
    doc = {
      input_file = meta_string(doc.meta, 'harness-input-file'),
      is_format = function(name) return FORMAT:match(name) ~= nil end,
    },
    project = { directory = meta_string(doc.meta, 'harness-project-dir') },
  }
  -- loaded as Quarto loads a shortcode file: loadfile with an environment of its own
  local file = meta_string(doc.meta, 'harness-shortcodes')
  local env = setmetatable({ PANDOC_SCRIPT_FILE = file }, { __index = _G })
  local shortcodes = assert(loadfile(file, 'bt', env))()
  return doc:walk({
    Para = function(para)
      local name = pandoc.utils.stringify(para):match('^{{<%s*generated%s+([%w%-_]+)%s*>}}$')
      if name then return shortcodes.generated({ pandoc.Inlines(name) }, {}, doc.meta) end
    end,
  })
end
