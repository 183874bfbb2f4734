-- Pandoc filter for the render path without Quarto: figures with alt text (see figures.lua).
-- The renderer passes the document's folder, relative to the project, as `svreport-doc-dir`.

local here = PANDOC_SCRIPT_FILE:match('^(.*)[/\\]') or '.'
local figures = dofile(here .. '/figures.lua')

local prefix = '/'

return {
  { Meta = function(meta)
      if meta['svreport-doc-dir'] then
        prefix = '/' .. pandoc.utils.stringify(meta['svreport-doc-dir']) .. '/'
      end
    end },
  { Figure = function(fig)
      if FORMAT:match('typst') then return figures.filter(FORMAT, prefix).Figure(fig) end
    end,
    Image = function(img)
      if not FORMAT:match('typst') then return figures.filter(FORMAT, prefix).Image(img) end
    end },
}
