// The native build's painter: a Cairo image surface (RGB24).
#include <cairo.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "io/painter.hpp"

namespace seiswg::io {
namespace {

using SurfacePtr = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
using ContextPtr = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;

void check_status(cairo_status_t status, const char* what) {
  if (status != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error(std::string(what) + ": " + cairo_status_to_string(status));
}

SurfacePtr make_surface(int width, int height) {
  SurfacePtr s(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height), cairo_surface_destroy);
  check_status(cairo_surface_status(s.get()), "cannot create a figure surface");
  return s;
}

class CairoPainter final : public Painter {
 public:
  CairoPainter(int width, int height) : surface_(make_surface(width, height)), cr_(nullptr, cairo_destroy) {
    cr_.reset(cairo_create(surface_.get()));
    check_status(cairo_status(cr_.get()), "cannot draw a figure");
    cairo_select_font_face(cr_.get(), "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    // Unhinted advances, as a browser's canvas measures them: text widths set the figure's layout
    // (and so its size), which is then the same natively and in the browser with the same font.
    std::unique_ptr<cairo_font_options_t, decltype(&cairo_font_options_destroy)> options(
        cairo_font_options_create(), cairo_font_options_destroy);
    cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
    cairo_set_font_options(cr_.get(), options.get());
  }

  void set_color(double r, double g, double b) override { cairo_set_source_rgb(cr_.get(), r, g, b); }
  void set_line_width(double width) override { cairo_set_line_width(cr_.get(), width); }
  void move_to(double x, double y) override { cairo_move_to(cr_.get(), x, y); }
  void line_to(double x, double y) override { cairo_line_to(cr_.get(), x, y); }
  void close_path() override { cairo_close_path(cr_.get()); }
  void rectangle(double x, double y, double width, double height) override {
    cairo_rectangle(cr_.get(), x, y, width, height);
  }
  void arc(double cx, double cy, double radius, double a0, double a1) override {
    cairo_arc(cr_.get(), cx, cy, radius, a0, a1);
  }
  void stroke() override { cairo_stroke(cr_.get()); }
  void fill() override { cairo_fill(cr_.get()); }
  void fill_preserve() override { cairo_fill_preserve(cr_.get()); }
  void clip() override { cairo_clip(cr_.get()); }
  void paint() override { cairo_paint(cr_.get()); }
  void save() override { cairo_save(cr_.get()); }
  void restore() override { cairo_restore(cr_.get()); }
  void translate(double dx, double dy) override { cairo_translate(cr_.get(), dx, dy); }
  void rotate(double angle) override { cairo_rotate(cr_.get(), angle); }

  double text_width(const std::string& text, double size) override {
    cairo_set_font_size(cr_.get(), size);
    cairo_text_extents_t e;
    cairo_text_extents(cr_.get(), text.c_str(), &e);
    return e.x_advance;
  }
  void show_text(const std::string& text, double size, double x, double y) override {
    cairo_set_font_size(cr_.get(), size);
    cairo_move_to(cr_.get(), x, y);
    cairo_show_text(cr_.get(), text.c_str());
    cairo_new_path(cr_.get());  // the text leaves a current point behind; no later path joins it
  }

  void draw_image(const Image& cells, double x, double y, double width, double height) override {
    SurfacePtr source = make_surface(cells.width, cells.height);
    cairo_surface_flush(source.get());
    unsigned char* data = cairo_image_surface_get_data(source.get());
    const auto stride = std::size_t(cairo_image_surface_get_stride(source.get()));
    for (std::size_t row = 0; row < std::size_t(cells.height); ++row) {
      auto* dst = reinterpret_cast<std::uint32_t*>(data + row * stride);
      const std::uint8_t* src = cells.rgb.data() + row * std::size_t(cells.width) * 3;
      for (std::size_t col = 0; col < std::size_t(cells.width); ++col, src += 3)
        dst[col] = 0xff000000u | std::uint32_t(src[0]) << 16 | std::uint32_t(src[1]) << 8 | src[2];
    }
    cairo_surface_mark_dirty(source.get());
    cairo_t* cr = cr_.get();
    cairo_save(cr);
    cairo_rectangle(cr, x, y, width, height);
    cairo_clip(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, width / cells.width, height / cells.height);
    cairo_set_source_surface(cr, source.get(), 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
    cairo_paint(cr);
    cairo_restore(cr);
  }

  Image pixels() override {
    check_status(cairo_status(cr_.get()), "cannot draw a figure");
    cairo_surface_flush(surface_.get());
    Image img;
    img.width = cairo_image_surface_get_width(surface_.get());
    img.height = cairo_image_surface_get_height(surface_.get());
    img.rgb.resize(std::size_t(img.width) * std::size_t(img.height) * 3);
    const unsigned char* data = cairo_image_surface_get_data(surface_.get());
    const auto stride = std::size_t(cairo_image_surface_get_stride(surface_.get()));
    for (std::size_t row = 0; row < std::size_t(img.height); ++row) {
      const auto* src = reinterpret_cast<const std::uint32_t*>(data + row * stride);
      std::uint8_t* dst = img.rgb.data() + row * std::size_t(img.width) * 3;
      for (std::size_t col = 0; col < std::size_t(img.width); ++col, dst += 3)
        dst[0] = std::uint8_t(src[col] >> 16), dst[1] = std::uint8_t(src[col] >> 8),
        dst[2] = std::uint8_t(src[col]);
    }
    return img;
  }

 private:
  SurfacePtr surface_;
  ContextPtr cr_;
};

}  // namespace

std::unique_ptr<Painter> make_painter(int width, int height) {
  return std::make_unique<CairoPainter>(width, height);
}

}  // namespace seiswg::io
