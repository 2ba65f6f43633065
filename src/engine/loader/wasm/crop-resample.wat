;; Crop resampling kernels (WebAssembly SIMD): the two passes of crop-resample.ts with f32x4 per RGB pixel.
(module
  (import "env" "memory" (memory 1))

;; Horizontal pass: rows [y0, y0 + rows) of interleaved RGB bytes (row stride `stride` bytes) -> tmp, one f32x4 per
  ;; output pixel [R, G, B, junk], in byte units. xs/xc: i32 per output (first source column, taps); xw: f32 weights.
  ;; Four rows at a time: their used spans are widened to f32x4 per pixel in 4 row buffers (`rowStride` bytes apart),
  ;; then each output column's taps are applied to the 4 rows together (one weight load, 4 independent sums). Past the
  ;; last row the last row is repeated; tmp has room for those (up to 3) extra rows.
  (func $widen (param $sp i32) (param $dp i32) (param $n i32)
    (local $v v128)
    ;; 4 pixels per step: one 16-byte load (the source has 16 bytes of padding), each pixel's 3 bytes spread to
    ;; i32 lanes [R, G, B, 0] by one shuffle against zero, converted and stored (row buffers have room for 3 more)
    (block $cdone (loop $cloop
      (br_if $cdone (i32.le_s (local.get $n) (i32.const 0)))
      (local.set $v (v128.load (local.get $sp)))
      (v128.store (local.get $dp) (f32x4.convert_i32x4_s
        (i8x16.shuffle 0 16 16 16 1 16 16 16 2 16 16 16 16 16 16 16 (local.get $v) (v128.const i32x4 0 0 0 0))))
      (v128.store offset=16 (local.get $dp) (f32x4.convert_i32x4_s
        (i8x16.shuffle 3 16 16 16 4 16 16 16 5 16 16 16 16 16 16 16 (local.get $v) (v128.const i32x4 0 0 0 0))))
      (v128.store offset=32 (local.get $dp) (f32x4.convert_i32x4_s
        (i8x16.shuffle 6 16 16 16 7 16 16 16 8 16 16 16 16 16 16 16 (local.get $v) (v128.const i32x4 0 0 0 0))))
      (v128.store offset=48 (local.get $dp) (f32x4.convert_i32x4_s
        (i8x16.shuffle 9 16 16 16 10 16 16 16 11 16 16 16 16 16 16 16 (local.get $v) (v128.const i32x4 0 0 0 0))))
      (local.set $sp (i32.add (local.get $sp) (i32.const 12)))
      (local.set $dp (i32.add (local.get $dp) (i32.const 64)))
      (local.set $n (i32.sub (local.get $n) (i32.const 4)))
      (br $cloop))))

  (func (export "horizontal")
    (param $src i32) (param $stride i32) (param $y0 i32) (param $rows i32)
    (param $xs i32) (param $xc i32) (param $xw i32) (param $maxTaps i32)
    (param $size i32) (param $flip i32) (param $tmp i32) (param $rowbuf i32) (param $rowStride i32)
    (local $r i32) (local $j i32) (local $rr i32) (local $xx i32) (local $p i32) (local $n i32) (local $k i32) (local $wp i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $w v128)
    (local $o i32) (local $xlo i32) (local $xhi i32) (local $rs2 i32) (local $rs3 i32) (local $plane4 i32)
    (local.set $xlo (i32.load (local.get $xs)))
    (local.set $k (i32.shl (i32.sub (local.get $size) (i32.const 1)) (i32.const 2)))
    (local.set $xhi (i32.add (i32.load (i32.add (local.get $xs) (local.get $k))) (i32.load (i32.add (local.get $xc) (local.get $k)))))
    (local.set $rs2 (i32.shl (local.get $rowStride) (i32.const 1)))
    (local.set $rs3 (i32.add (local.get $rs2) (local.get $rowStride)))
    (local.set $plane4 (i32.shl (local.get $size) (i32.const 4))) ;; bytes of one tmp row
    (local.set $r (i32.const 0))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $j (i32.const 0))
      (block $wdone (loop $wloop
        (br_if $wdone (i32.ge_u (local.get $j) (i32.const 4)))
        (local.set $rr (i32.add (local.get $r) (local.get $j)))
        (if (i32.ge_u (local.get $rr) (local.get $rows)) (then (local.set $rr (i32.sub (local.get $rows) (i32.const 1)))))
        (call $widen
          (i32.add (i32.add (local.get $src) (i32.mul (i32.add (local.get $y0) (local.get $rr)) (local.get $stride))) (i32.mul (local.get $xlo) (i32.const 3)))
          (i32.add (local.get $rowbuf) (i32.mul (local.get $j) (local.get $rowStride)))
          (i32.sub (local.get $xhi) (local.get $xlo)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $wloop)))
      (local.set $xx (i32.const 0))
      (local.set $wp (local.get $xw))
      (block $xdone (loop $xloop
        (br_if $xdone (i32.ge_u (local.get $xx) (local.get $size)))
        (local.set $p (i32.add (local.get $rowbuf) (i32.shl (i32.sub (i32.load (i32.add (local.get $xs) (i32.shl (local.get $xx) (i32.const 2)))) (local.get $xlo)) (i32.const 4))))
        (local.set $n (i32.load (i32.add (local.get $xc) (i32.shl (local.get $xx) (i32.const 2)))))
        (local.set $a0 (f32x4.splat (f32.const 0)))
        (local.set $a1 (f32x4.splat (f32.const 0)))
        (local.set $a2 (f32x4.splat (f32.const 0)))
        (local.set $a3 (f32x4.splat (f32.const 0)))
        (local.set $k (i32.const 0))
        (block $kdone (loop $kloop
          (br_if $kdone (i32.ge_u (local.get $k) (local.get $n)))
          (local.set $w (v128.load32_splat (i32.add (local.get $wp) (i32.shl (local.get $k) (i32.const 2)))))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $p)) (local.get $w))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $rowStride))) (local.get $w))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $rs2))) (local.get $w))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $rs3))) (local.get $w))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $kloop)))
        (local.set $o (i32.add (local.get $tmp) (i32.add (i32.mul (local.get $r) (local.get $plane4))
          (i32.shl (select (i32.sub (i32.sub (local.get $size) (i32.const 1)) (local.get $xx)) (local.get $xx) (local.get $flip)) (i32.const 4)))))
        (v128.store (local.get $o) (local.get $a0))
        (v128.store (i32.add (local.get $o) (local.get $plane4)) (local.get $a1))
        (v128.store (i32.add (local.get $o) (i32.shl (local.get $plane4) (i32.const 1))) (local.get $a2))
        (v128.store (i32.add (local.get $o) (i32.mul (local.get $plane4) (i32.const 3))) (local.get $a3))
        (local.set $wp (i32.add (local.get $wp) (i32.shl (local.get $maxTaps) (i32.const 2))))
        (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
        (br $xloop)))
      (local.set $r (i32.add (local.get $r) (i32.const 4)))
      (br $rloop))))

  ;; Vertical pass: tmp (rows x size f32x4) -> planar f32 out (3 planes of size*size), scaled by 1/255, clamped to [0,1].
  ;; Four output pixels of a row share each tap's weight; their [R,G,B,-] vectors are transposed into one f32x4 per
  ;; plane before storing. A row's last size % 4 pixels go one at a time.
  (func (export "vertical")
    (param $tmp i32) (param $size i32) (param $ys i32) (param $yc i32) (param $yw i32) (param $maxTaps i32)
    (param $y0 i32) (param $out i32)
    (local $yy i32) (local $xx i32) (local $p i32) (local $n i32) (local $k i32) (local $wp i32) (local $wbase i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $w v128) (local $t0 v128) (local $t1 v128)
    (local $rowBytes i32) (local $plane i32) (local $o i32) (local $r0 i32) (local $size4 i32) (local $scale v128)
    (local.set $rowBytes (i32.shl (local.get $size) (i32.const 4)))
    (local.set $plane (i32.shl (i32.mul (local.get $size) (local.get $size)) (i32.const 2)))
    (local.set $size4 (i32.and (local.get $size) (i32.const -4)))
    (local.set $scale (f32x4.splat (f32.const 0.003921568859368563))) ;; 1/255 in f32
    (local.set $yy (i32.const 0))
    (block $ydone (loop $yloop
      (br_if $ydone (i32.ge_u (local.get $yy) (local.get $size)))
      (local.set $n (i32.load (i32.add (local.get $yc) (i32.shl (local.get $yy) (i32.const 2)))))
      (local.set $r0 (i32.sub (i32.load (i32.add (local.get $ys) (i32.shl (local.get $yy) (i32.const 2)))) (local.get $y0)))
      (local.set $wbase (i32.add (local.get $yw) (i32.shl (i32.mul (local.get $yy) (local.get $maxTaps)) (i32.const 2))))
      (local.set $xx (i32.const 0))
      (block $xdone (loop $xloop
        (br_if $xdone (i32.ge_u (local.get $xx) (local.get $size4)))
        (local.set $p (i32.add (local.get $tmp) (i32.add (i32.mul (local.get $r0) (local.get $rowBytes)) (i32.shl (local.get $xx) (i32.const 4)))))
        (local.set $wp (local.get $wbase))
        (local.set $a0 (f32x4.splat (f32.const 0)))
        (local.set $a1 (f32x4.splat (f32.const 0)))
        (local.set $a2 (f32x4.splat (f32.const 0)))
        (local.set $a3 (f32x4.splat (f32.const 0)))
        (local.set $k (i32.const 0))
        (block $kdone (loop $kloop
          (br_if $kdone (i32.ge_u (local.get $k) (local.get $n)))
          (local.set $w (v128.load32_splat (local.get $wp)))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $p)) (local.get $w))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (local.get $p)) (local.get $w))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load offset=32 (local.get $p)) (local.get $w))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load offset=48 (local.get $p)) (local.get $w))))
          (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
          (local.set $wp (i32.add (local.get $wp) (i32.const 4)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $kloop)))
        (local.set $a0 (f32x4.pmax (f32x4.splat (f32.const 0)) (f32x4.pmin (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $a0) (local.get $scale)))))
        (local.set $a1 (f32x4.pmax (f32x4.splat (f32.const 0)) (f32x4.pmin (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $a1) (local.get $scale)))))
        (local.set $a2 (f32x4.pmax (f32x4.splat (f32.const 0)) (f32x4.pmin (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $a2) (local.get $scale)))))
        (local.set $a3 (f32x4.pmax (f32x4.splat (f32.const 0)) (f32x4.pmin (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $a3) (local.get $scale)))))
        (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $yy) (local.get $size)) (local.get $xx)) (i32.const 2))))
        ;; [R0 R1 G0 G1], [R2 R3 G2 G3] -> R, G planes
        (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1)))
        (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3)))
        (v128.store (local.get $o) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
        (v128.store (i32.add (local.get $o) (local.get $plane)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
        ;; [B0 B1 - -], [B2 B3 - -] -> B plane
        (local.set $t0 (i8x16.shuffle 8 9 10 11 24 25 26 27 8 9 10 11 24 25 26 27 (local.get $a0) (local.get $a1)))
        (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 8 9 10 11 24 25 26 27 (local.get $a2) (local.get $a3)))
        (v128.store (i32.add (local.get $o) (i32.shl (local.get $plane) (i32.const 1))) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
        (local.set $xx (i32.add (local.get $xx) (i32.const 4)))
        (br $xloop)))
      (block $sdone (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $xx) (local.get $size)))
        (local.set $p (i32.add (local.get $tmp) (i32.add (i32.mul (local.get $r0) (local.get $rowBytes)) (i32.shl (local.get $xx) (i32.const 4)))))
        (local.set $wp (local.get $wbase))
        (local.set $a0 (f32x4.splat (f32.const 0)))
        (local.set $k (i32.const 0))
        (block $kdone (loop $kloop
          (br_if $kdone (i32.ge_u (local.get $k) (local.get $n)))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $p)) (v128.load32_splat (local.get $wp)))))
          (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
          (local.set $wp (i32.add (local.get $wp) (i32.const 4)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $kloop)))
        (local.set $a0 (f32x4.pmax (f32x4.splat (f32.const 0)) (f32x4.pmin (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $a0) (local.get $scale)))))
        (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $yy) (local.get $size)) (local.get $xx)) (i32.const 2))))
        (f32.store (local.get $o) (f32x4.extract_lane 0 (local.get $a0)))
        (f32.store (i32.add (local.get $o) (local.get $plane)) (f32x4.extract_lane 1 (local.get $a0)))
        (f32.store (i32.add (local.get $o) (i32.shl (local.get $plane) (i32.const 1))) (f32x4.extract_lane 2 (local.get $a0)))
        (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
        (br $sloop)))
      (local.set $yy (i32.add (local.get $yy) (i32.const 1)))
      (br $yloop))))
)
