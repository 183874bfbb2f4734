-- Figures with alt text, shared by both render paths (loaded with dofile, returns a module).
--
-- Quarto's `fig-alt` must reach the HTML `alt`, the DOCX description and the tagged PDF's /Alt.
-- Pandoc's Typst writer drops it, so Typst figures are written as raw Typst `image(..., alt: ...)`,
-- as Quarto's own filter does. DOCX takes the PNG twin of an SVG, so no rsvg-convert is needed.
-- Used by `generated.lua` (the Quarto shortcode) and `pandoc-filters.lua` (the pandoc path).

local M = {}

local function typst_string(text)
  return '"' .. text:gsub('\\', '\\\\'):gsub('"', '\\"') .. '"'
end

local function first_image(blocks)
  local found = nil
  pandoc.walk_block(pandoc.Div(blocks), { Image = function(img) found = found or img end })
  return found
end

-- `src_prefix` turns a path relative to the document into one Typst resolves from its --root
-- (both paths compile with the project folder as root): e.g. "/report/".
local function typst_figure(fig, src_prefix)
  local img = first_image(fig.content)
  if not img then return nil end
  local alt = img.attributes['fig-alt'] or pandoc.utils.stringify(img.caption)
  local caption = pandoc.write(pandoc.Pandoc({ pandoc.Plain(pandoc.utils.blocks_to_inlines(fig.caption.long)) }),
    'typst'):gsub('%s+$', '')
  local src = img.src
  if not src:match('^/') and not src:match('^%a+:') then src = (src_prefix or '') .. src end
  local args = typst_string(src) .. ', alt: ' .. typst_string(alt)
  if img.attributes['width'] then args = args .. ', width: ' .. img.attributes['width'] end
  return pandoc.RawBlock('typst', '#figure(image(' .. args .. '), caption: [' .. caption .. '])')
end

local function image_with_alt(img, format)
  local alt = img.attributes['fig-alt']
  if alt then
    img.attributes['fig-alt'] = nil
    img.caption = pandoc.Inlines({ pandoc.Str(alt) })
  end
  if format:match('docx') and img.src:match('%.svg$') then
    img.src = img.src:gsub('%.svg$', '.png')
  end
  return img
end

-- The filter for one output format, as a table of element functions.
function M.filter(format, src_prefix)
  if format:match('typst') then
    return { Figure = function(fig) return typst_figure(fig, src_prefix) end }
  end
  return { Image = function(img) return image_with_alt(img, format) end }
end

-- Apply the filter to a list of blocks (for content a shortcode returns).
function M.apply(blocks, format, src_prefix)
  return pandoc.Div(blocks):walk(M.filter(format, src_prefix)).content
end

return M
