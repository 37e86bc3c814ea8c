#pragma once
// The few drawing primitives the figures (figure.cpp) are made of, so that one layout code draws them
// in both builds: natively through Cairo (painter_cairo.cpp), in the browser through the Web Worker's
// OffscreenCanvas 2-D context (painter_canvas.cpp; Cairo has no WebAssembly build in Debian).
//
// The semantics are Cairo's, which the canvas back end follows: a current path is built by move_to,
// line_to, close_path, rectangle and arc and consumed by stroke, fill and clip; save/restore keep the
// colour, line width, transform and clip (not the path). Coordinates are pixels, y downward; a line
// of width 1 along a pixel centre (n + 0.5) covers exactly one pixel row or column.
#include <memory>
#include <string>

#include "io/png.hpp"

namespace seiswg::io {

class Painter {
 public:
  virtual ~Painter() = default;

  virtual void set_color(double r, double g, double b) = 0;  // each in [0, 1]
  virtual void set_line_width(double width) = 0;

  virtual void move_to(double x, double y) = 0;
  virtual void line_to(double x, double y) = 0;
  virtual void close_path() = 0;
  virtual void rectangle(double x, double y, double width, double height) = 0;
  // A circular arc from angle a0 to a1 (radians, clockwise on the screen); joined by a line to the
  // current point when there is one.
  virtual void arc(double cx, double cy, double radius, double a0, double a1) = 0;
  virtual void stroke() = 0;
  virtual void fill() = 0;
  virtual void fill_preserve() = 0;  // fill, keeping the path (for an outline over it)
  virtual void clip() = 0;
  virtual void paint() = 0;  // the current colour everywhere inside the clip

  virtual void save() = 0;
  virtual void restore() = 0;
  virtual void translate(double dx, double dy) = 0;
  virtual void rotate(double angle) = 0;  // radians, clockwise on the screen

  // The advance width of `text` (UTF-8) in a sans-serif font of `size` pixels, and drawing it in the
  // current colour with the start of its baseline at (x, y) in the current transform.
  virtual double text_width(const std::string& text, double size) = 0;
  virtual void show_text(const std::string& text, double size, double x, double y) = 0;

  // `cells` scaled onto the rectangle (x, y, width, height), one cell to a block of pixels without
  // smoothing (nearest neighbour).
  virtual void draw_image(const Image& cells, double x, double y, double width, double height) = 0;

  // The picture as drawn so far.
  virtual Image pixels() = 0;
};

// A picture of width x height pixels to draw on (paint it first: its starting colour differs between
// back ends); std::runtime_error when the back end cannot make one (e.g. a browser without
// OffscreenCanvas), saying so.
std::unique_ptr<Painter> make_painter(int width, int height);

}  // namespace seiswg::io
