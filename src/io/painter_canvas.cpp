// The browser build's painter: an OffscreenCanvas 2-D context in the solver's Web Worker, reached
// through EM_JS. Every call is synchronous, including the read-back (getImageData), so the figure
// code runs unchanged and io::write_png encodes its pixels as natively.
//
// Where the canvas differs from Cairo the calls below make it behave like Cairo: a canvas keeps its
// path after stroke, fill and clip (so each starts a new one), has no fill_preserve (fill without
// starting a new path) and takes colours as CSS strings.
#include <emscripten.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/painter.hpp"

namespace seiswg::io {
namespace {

// The worker's canvases by handle (0 when OffscreenCanvas is missing).
EM_JS(int, canvas_create, (int width, int height), {
  if (!self.OffscreenCanvas) return 0;
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext("2d");
  if (!ctx) return 0;
  Module.seiswgCanvases = Module.seiswgCanvases || {next : 1};
  const handle = Module.seiswgCanvases.next++;
  Module.seiswgCanvases[handle] = ctx;
  return handle;
});
EM_JS(void, canvas_destroy, (int handle), { delete Module.seiswgCanvases[handle]; });
EM_JS(void, canvas_set_color, (int handle, double r, double g, double b), {
  const ctx = Module.seiswgCanvases[handle];
  const css = "rgb(" + Math.round(r * 255) + "," + Math.round(g * 255) + "," + Math.round(b * 255) + ")";
  ctx.fillStyle = css;
  ctx.strokeStyle = css;
});
EM_JS(void, canvas_set_line_width, (int handle, double width),
      { Module.seiswgCanvases[handle].lineWidth = width; });
EM_JS(void, canvas_move_to, (int handle, double x, double y),
      { Module.seiswgCanvases[handle].moveTo(x, y); });
EM_JS(void, canvas_line_to, (int handle, double x, double y),
      { Module.seiswgCanvases[handle].lineTo(x, y); });
EM_JS(void, canvas_close_path, (int handle), { Module.seiswgCanvases[handle].closePath(); });
EM_JS(void, canvas_rectangle, (int handle, double x, double y, double width, double height),
      { Module.seiswgCanvases[handle].rect(x, y, width, height); });
EM_JS(void, canvas_arc, (int handle, double cx, double cy, double radius, double a0, double a1),
      { Module.seiswgCanvases[handle].arc(cx, cy, radius, a0, a1); });
EM_JS(void, canvas_stroke, (int handle), {
  const ctx = Module.seiswgCanvases[handle];
  ctx.stroke();
  ctx.beginPath();
});
EM_JS(void, canvas_fill, (int handle, int keep_path), {
  const ctx = Module.seiswgCanvases[handle];
  ctx.fill();
  if (!keep_path) ctx.beginPath();
});
EM_JS(void, canvas_clip, (int handle), {
  const ctx = Module.seiswgCanvases[handle];
  ctx.clip();
  ctx.beginPath();
});
EM_JS(void, canvas_paint, (int handle), {
  // Cairo's paint covers everything inside the clip whatever the transform.
  const ctx = Module.seiswgCanvases[handle];
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.restore();
});
EM_JS(void, canvas_save, (int handle), { Module.seiswgCanvases[handle].save(); });
EM_JS(void, canvas_restore, (int handle), { Module.seiswgCanvases[handle].restore(); });
EM_JS(void, canvas_translate, (int handle, double dx, double dy),
      { Module.seiswgCanvases[handle].translate(dx, dy); });
EM_JS(void, canvas_rotate, (int handle, double angle), { Module.seiswgCanvases[handle].rotate(angle); });
EM_JS(double, canvas_text_width, (int handle, const char* text, double size), {
  const ctx = Module.seiswgCanvases[handle];
  ctx.font = size + "px sans-serif";
  return ctx.measureText(UTF8ToString(text)).width;
});
EM_JS(void, canvas_show_text, (int handle, const char* text, double size, double x, double y), {
  const ctx = Module.seiswgCanvases[handle];
  ctx.font = size + "px sans-serif";
  ctx.textBaseline = "alphabetic";
  ctx.textAlign = "left";
  ctx.fillText(UTF8ToString(text), x, y);
});
// rgba: width * height * 4 bytes on the wasm heap.
EM_JS(void, canvas_draw_image,
      (int handle, const std::uint8_t* rgba, int columns, int rows, double x, double y, double width,
       double height),
      {
        const ctx = Module.seiswgCanvases[handle];
        const cells = new OffscreenCanvas(columns, rows);
        const pixels = new ImageData(
            new Uint8ClampedArray(HEAPU8.slice(rgba, rgba + columns * rows * 4).buffer), columns, rows);
        cells.getContext("2d").putImageData(pixels, 0, 0);
        ctx.save();
        ctx.beginPath();
        ctx.rect(x, y, width, height);
        ctx.clip();
        ctx.beginPath();
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(cells, x, y, width, height);
        ctx.restore();
      });
EM_JS(void, canvas_read, (int handle, std::uint8_t* rgba), {
  const ctx = Module.seiswgCanvases[handle];
  const data = ctx.getImageData(0, 0, ctx.canvas.width, ctx.canvas.height).data;
  HEAPU8.set(data, rgba);
});

class CanvasPainter final : public Painter {
 public:
  CanvasPainter(int width, int height)
      : width_(width), height_(height), handle_(canvas_create(width, height)) {
    if (handle_ == 0)
      throw std::runtime_error(
          "cannot draw PNG figures: this browser offers no OffscreenCanvas 2-D context in a Web Worker "
          "(set save_images = no, or use a current Chrome, Edge, Firefox or Safari)");
  }
  ~CanvasPainter() override { canvas_destroy(handle_); }
  CanvasPainter(const CanvasPainter&) = delete;
  CanvasPainter& operator=(const CanvasPainter&) = delete;

  void set_color(double r, double g, double b) override { canvas_set_color(handle_, r, g, b); }
  void set_line_width(double width) override { canvas_set_line_width(handle_, width); }
  void move_to(double x, double y) override { canvas_move_to(handle_, x, y); }
  void line_to(double x, double y) override { canvas_line_to(handle_, x, y); }
  void close_path() override { canvas_close_path(handle_); }
  void rectangle(double x, double y, double width, double height) override {
    canvas_rectangle(handle_, x, y, width, height);
  }
  void arc(double cx, double cy, double radius, double a0, double a1) override {
    canvas_arc(handle_, cx, cy, radius, a0, a1);
  }
  void stroke() override { canvas_stroke(handle_); }
  void fill() override { canvas_fill(handle_, 0); }
  void fill_preserve() override { canvas_fill(handle_, 1); }
  void clip() override { canvas_clip(handle_); }
  void paint() override { canvas_paint(handle_); }
  void save() override { canvas_save(handle_); }
  void restore() override { canvas_restore(handle_); }
  void translate(double dx, double dy) override { canvas_translate(handle_, dx, dy); }
  void rotate(double angle) override { canvas_rotate(handle_, angle); }
  double text_width(const std::string& text, double size) override {
    return canvas_text_width(handle_, text.c_str(), size);
  }
  void show_text(const std::string& text, double size, double x, double y) override {
    canvas_show_text(handle_, text.c_str(), size, x, y);
  }

  void draw_image(const Image& cells, double x, double y, double width, double height) override {
    std::vector<std::uint8_t> rgba(std::size_t(cells.width) * std::size_t(cells.height) * 4);
    for (std::size_t k = 0, n = rgba.size() / 4; k < n; ++k) {
      rgba[4 * k] = cells.rgb[3 * k], rgba[4 * k + 1] = cells.rgb[3 * k + 1],
               rgba[4 * k + 2] = cells.rgb[3 * k + 2];
      rgba[4 * k + 3] = 255;
    }
    canvas_draw_image(handle_, rgba.data(), cells.width, cells.height, x, y, width, height);
  }

  Image pixels() override {
    std::vector<std::uint8_t> rgba(std::size_t(width_) * std::size_t(height_) * 4);
    canvas_read(handle_, rgba.data());
    Image img;
    img.width = width_, img.height = height_;
    img.rgb.resize(rgba.size() / 4 * 3);
    for (std::size_t k = 0, n = rgba.size() / 4; k < n; ++k)
      img.rgb[3 * k] = rgba[4 * k], img.rgb[3 * k + 1] = rgba[4 * k + 1],
                  img.rgb[3 * k + 2] = rgba[4 * k + 2];
    return img;
  }

 private:
  int width_, height_;
  int handle_;
};

}  // namespace

std::unique_ptr<Painter> make_painter(int width, int height) {
  return std::make_unique<CanvasPainter>(width, height);
}

}  // namespace seiswg::io
