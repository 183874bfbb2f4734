-- Quarto shortcode {{< generated NAME >}}: the pipeline's generated content.
--
-- Inserts report/_generated/NAME.md, which `svreport prepare-report` (the pre-render step)
-- writes with every figure already taken from _variables.yml. It is read when the document's
-- filters run, after pre-render; an {{< include >}} would be read before pre-render (quarto-cli
-- issue 12491) and fail on a clean checkout. The render path without Quarto inserts the same
-- file in `svreport.report.shortcodes`. Figures get their alt text as in figures.lua.

local here = debug.getinfo(1, 'S').source:match('^@(.*)[/\\]') or '.'
local figures = dofile(here .. '/figures.lua')

local function doc_dir()
  local input = quarto.doc.input_file
  return input:match('^(.*)[/\\]') or '.'
end

-- The document's folder relative to the project (Typst's --root), e.g. "/report/".
local function typst_prefix(dir)
  local project = quarto.project and quarto.project.directory
  if not project then return '' end
  local relative = pandoc.path.make_relative(dir, project)
  if relative == '.' then return '/' end
  return '/' .. relative:gsub('\\', '/') .. '/'
end

-- The output format as figures.lua names it.
local function output_format()
  for _, name in ipairs({ 'typst', 'docx' }) do
    if quarto.doc.is_format(name) then return name end
  end
  return FORMAT
end

return {
  ['generated'] = function(args)
    local name = pandoc.utils.stringify(args[1] or '')
    if not name:match('^[%w%-_]+$') then
      error('{{< generated >}} needs the name of a generated file, such as appendix1-table; got "' .. name .. '"')
    end
    local dir = doc_dir()
    local path = dir .. '/_generated/' .. name .. '.md'
    local file = io.open(path, 'r')
    if not file then
      error('generated content "' .. name .. '" is missing: ' .. path ..
        ' (the pre-render step `svreport prepare-report` writes it; see report/README.md)')
    end
    local text = file:read('a')
    file:close()
    -- the document's own reader options, so tables get the same column widths as inline Markdown
    local blocks = pandoc.read(text, 'markdown', PANDOC_READER_OPTIONS).blocks
    return figures.apply(blocks, output_format(), typst_prefix(dir))
  end,
}
