"""The picture core: image bytes in, thumbnails out. Pillow only; nothing here knows AWS or the database.

- ``imaging``: one decode made into every size and format (``make_thumbnails``), and the refusal of a picture from
  its header
- ``sizes``: what a size means, a longest edge (``256``) or a box (``200x200``)
- ``crop``: where a box is cut from the picture (``entropy`` or ``centre``)
- ``formats``: the input formats read, the optional ones (HEIF, AVIF), and the output formats
- ``heif``: a HEIF's embedded thumbnail item, decoded instead of the picture when every size fits in it
- ``libheif``: a HEIF's picture decoded to its YCbCr planes (libheif's C API), scaled, then converted to RGB
- ``cpus``: how many CPUs the function may use at once (HEIF's decoding threads, a large downscale's strips)
- ``colour``: the colour space thumbnails are written in: CMYK through its profile, ``keep`` or ``srgb``
- ``encoding``: pictures and animations to bytes (progressive JPEG on request), never bigger than the source
- ``metadata``: a source's own bytes without its metadata
- ``placeholder``: the BlurHash string an application paints while the image loads
- ``memory``: what a picture costs in memory, so one that would not fit is refused before it is decoded
- ``containment``: native decoding in a forked child, so a decoder's crash or hang refuses one picture only
- ``previews``: sources that are not pictures made into one (``extra_formats`` "pdf", "video"): ``pdf`` renders a
  PDF's first page (PDFium), ``video`` takes a video's poster frame (FFmpeg); each imported only when it is on
"""
