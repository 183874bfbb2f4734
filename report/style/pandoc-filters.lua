-- Pandoc filter for the no-Quarto render path: honour Quarto's `fig-alt` attribute.
-- HTML and DOCX: the image's alt text (description) becomes fig-alt; DOCX takes the PNG
-- twin of an SVG (so no rsvg-convert is needed). Typst: pandoc's writer drops alt text, so
-- figures are written as raw Typst with image(..., alt: ...), as Quarto's own filter does.

local function typst_string(text)
  return '"' .. text:gsub('\\', '\\\\'):gsub('"', '\\"') .. '"'
end

local function first_image(blocks)
  local found = nil
  pandoc.walk_block(pandoc.Div(blocks), { Image = function(img) found = found or img end })
  return found
end

if FORMAT:match('typst') then
  function Figure(fig)
    local img = first_image(fig.content)
    if not img then return nil end
    local alt = img.attributes['fig-alt'] or pandoc.utils.stringify(img.caption)
    local caption = pandoc.write(pandoc.Pandoc({ pandoc.Plain(pandoc.utils.blocks_to_inlines(fig.caption.long)) }),
      'typst'):gsub('%s+$', '')
    local src = img.src
    if not src:match('^/') and not src:match('^%a+:') then src = '/' .. src end
    local args = typst_string(src) .. ', alt: ' .. typst_string(alt)
    if img.attributes['width'] then args = args .. ', width: ' .. img.attributes['width'] end
    return pandoc.RawBlock('typst', '#figure(image(' .. args .. '), caption: [' .. caption .. '])')
  end
else
  function Image(img)
    local alt = img.attributes['fig-alt']
    if alt then
      img.attributes['fig-alt'] = nil
      img.caption = pandoc.Inlines({ pandoc.Str(alt) })
    end
    if FORMAT:match('docx') and img.src:match('%.svg$') then
      img.src = img.src:gsub('%.svg$', '.png')
    end
    return img
  end
end
