//! `image` (feature `image`, the `image` crate's default features off): image buffers are
//! producers (`height × width × channels`, or `height × width` for one channel, as numpy and
//! Pillow lay images out) and consumers; `FlatSamples` maps its strides both ways, zero-copy.
//!
//! ```
//! use array_protocol::{ArrayConsumer, ArrayProducer};
//! use image::{Rgb, RgbImage};
//!
//! let img = RgbImage::from_fn(4, 2, |x, y| Rgb([x as u8, y as u8, 7]));
//! let view = img.array();
//! assert_eq!((view.shape(), view.as_ptr()), (&[2, 4, 3][..], img.as_raw().as_ptr()));
//! let flipped = RgbImage::from_array(&view.reverse_axis(0)?)?;
//! assert_eq!(flipped.get_pixel(1, 0), &Rgb([1, 1, 7]));
//! # Ok::<(), array_protocol::Error>(())
//! ```

use alloc::vec::Vec;
use core::ops::{Deref, DerefMut};

use image::flat::{FlatSamples, SampleLayout};
use image::{ImageBuffer, Pixel};

use crate::error::{error, Error};
use crate::{
    ArrayConsumer, ArrayProducer, ArrayProducerMut, ArrayView, ArrayViewMut, Contiguity, Element,
    FromArrayView, Requirements, TypedArrayProducer,
};

/// Shape and byte strides of a packed image: `[h, w, c]`, or `[h, w]` for one channel (the
/// first `ndim` entries).
#[inline]
fn packed(width: u32, height: u32, channels: u8, size: usize) -> ([usize; 3], [isize; 3], usize) {
    let (w, h, c) = (width as usize, height as usize, usize::from(channels));
    // The image crate keeps `w * h * c` samples in its buffer, so these products fit; any that
    // did not would be caught by the layout check against the buffer's length.
    let row = w.wrapping_mul(c).wrapping_mul(size) as isize;
    if c == 1 {
        ([h, w, 0], [row, size as isize, 0], 2)
    } else {
        ([h, w, c], [row, (c * size) as isize, size as isize], 3)
    }
}

impl<P, C> ArrayProducer for ImageBuffer<P, C>
where
    P: Pixel,
    P::Subpixel: Element,
    C: Deref<Target = [P::Subpixel]>,
{
    #[inline]
    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        let size = core::mem::size_of::<P::Subpixel>();
        let (shape, _, n) = packed(self.width(), self.height(), P::CHANNEL_COUNT, size);
        let bytes = crate::item::element::bytes_of::<P::Subpixel>(self.as_raw());
        crate::view::ArrayBase::c_contiguous(bytes, P::Subpixel::ITEM_TYPE, &shape[..n])
    }
}

/// Image buffers of the `image` crate's pixel types are typed producers of pixels, as arrays of
/// their channels, along two axes (height, width): a consumer can demand "RGBA pixels of `u8`,
/// two axes" in its signature.
macro_rules! typed_images {
    ($($pixel:ident => $item:ty;)*) => {$(
        impl<S, C> TypedArrayProducer for ImageBuffer<image::$pixel<S>, C>
        where
            image::$pixel<S>: Pixel<Subpixel = S>,
            S: Element + image::Primitive,
            C: Deref<Target = [S]>,
        {
            type Item = $item;
            type Dim = crate::Ix<2>;
        }
    )*};
}

typed_images! {
    Luma => S;
    LumaA => [S; 2];
    Rgb => [S; 3];
    Rgba => [S; 4];
}

impl<P, C> ArrayProducerMut for ImageBuffer<P, C>
where
    P: Pixel,
    P::Subpixel: Element,
    C: Deref<Target = [P::Subpixel]> + DerefMut,
{
    fn try_array_mut(&mut self) -> Result<ArrayViewMut<'_>, Error> {
        let size = core::mem::size_of::<P::Subpixel>();
        let (shape, _, n) = packed(self.width(), self.height(), P::CHANNEL_COUNT, size);
        let samples: &mut [P::Subpixel] = self;
        let bytes = crate::item::element::bytes_mut::<P::Subpixel>(samples);
        crate::view::ArrayBase::c_contiguous(bytes, P::Subpixel::ITEM_TYPE, &shape[..n])
    }
}

impl<'a, S: Element> crate::TypedViewN<'a, S, 3> {
    /// The samples of an image buffer as `height × width × channels`, with nothing to compare
    /// at run time: the fast path to other crates' typed views (one channel gives a last axis
    /// of length 1).
    ///
    /// ```
    /// use array_protocol::TypedViewN;
    /// use image::{Rgba, RgbaImage};
    ///
    /// let img = RgbaImage::from_fn(4, 2, |x, y| Rgba([x as u8, y as u8, 7, 255]));
    /// let samples = TypedViewN::from_image(&img)?;
    /// assert_eq!((samples.shape(), samples[[1, 3, 0]]), ([2, 4, 4], 3));
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    #[inline]
    pub fn from_image<P, C>(image: &'a ImageBuffer<P, C>) -> Result<Self, Error>
    where
        P: Pixel<Subpixel = S>,
        C: Deref<Target = [S]>,
    {
        let size = core::mem::size_of::<S>();
        let (w, h, c) = (
            image.width() as usize,
            image.height() as usize,
            usize::from(P::CHANNEL_COUNT),
        );
        // Checked against the buffer by `new` (a wrapped product would not fit it).
        let strides = [
            w.wrapping_mul(c).wrapping_mul(size) as isize,
            c.wrapping_mul(size) as isize,
            size as isize,
        ];
        crate::TypedViewN::new(
            crate::item::element::bytes_of::<S>(image.as_raw()),
            [h, w, c],
            strides,
            0,
        )
    }
}

fn dims_u32(view: &ArrayView<'_>) -> Result<(u32, u32), Error> {
    let to_u32 = |n: usize, what: &str| {
        u32::try_from(n).map_err(|_| error!(Shape, "an image {what} of {n} does not fit in u32"))
    };
    Ok((
        to_u32(view.shape()[1], "width")?,
        to_u32(view.shape()[0], "height")?,
    ))
}

impl<P> ArrayConsumer for ImageBuffer<P, Vec<P::Subpixel>>
where
    P: Pixel,
    P::Subpixel: Element,
{
    fn requirements() -> Requirements {
        Requirements {
            item: Some(P::Subpixel::item_type()),
            ndim: Some(if P::CHANNEL_COUNT == 1 { 2 } else { 3 }),
            contiguity: Contiguity::Any,
            writable: false,
        }
    }

    fn read_array(array: &ArrayView<'_>) -> Result<Self, Error> {
        let channels = usize::from(P::CHANNEL_COUNT);
        if channels > 1 {
            crate::protocol::expect_len(array.shape(), 2, channels)?;
        }
        let (width, height) = dims_u32(array)?;
        let samples = array.to_vec::<P::Subpixel>()?;
        ImageBuffer::from_raw(width, height, samples)
            .ok_or_else(|| error!(Shape, "{width}×{height} pixels do not fit the samples"))
    }
}

/// The `FlatSamples` layout as axes `[height, width, channels]` and byte strides.
fn flat_axes(layout: &SampleLayout, size: usize) -> Result<([usize; 3], [isize; 3]), Error> {
    let stride = |s: usize| {
        s.checked_mul(size)
            .and_then(|b| isize::try_from(b).ok())
            .ok_or_else(|| {
                error!(
                    Layout,
                    "a FlatSamples stride of {s} samples overflows isize bytes"
                )
            })
    };
    Ok((
        [
            layout.height as usize,
            layout.width as usize,
            usize::from(layout.channels),
        ],
        [
            stride(layout.height_stride)?,
            stride(layout.width_stride)?,
            stride(layout.channel_stride)?,
        ],
    ))
}

macro_rules! flat_producer {
    ($($buffer:ty),*) => {$(
        impl<T: Element> ArrayProducer for FlatSamples<$buffer> {
            fn try_array(&self) -> Result<ArrayView<'_>, Error> {
                let (shape, strides) = flat_axes(&self.layout, core::mem::size_of::<T>())?;
                let bytes = crate::item::element::bytes_of::<T>(&self.samples[..]);
                ArrayView::new(bytes, T::item_type(), &shape, Some(&strides), 0)
            }
        }
    )*};
}

flat_producer!(Vec<T>, &[T], &mut [T]);

impl<'a, T: Element> FromArrayView<'a> for FlatSamples<&'a [T]> {
    fn requirements() -> Requirements {
        Requirements {
            item: Some(T::item_type()),
            ndim: None,
            contiguity: Contiguity::Any,
            writable: false,
        }
    }

    /// A `height × width × channels` (or `height × width`) array with non-negative strides
    /// that are whole samples, borrowed without copying.
    fn read_array_view(view: ArrayView<'a>) -> Result<Self, Error> {
        if !(2..=3).contains(&view.ndim()) {
            return Err(error!(
                Requirement,
                "expected a 2-D or 3-D image array, got {} axes",
                view.ndim()
            ));
        }
        let typed = view.typed::<T>()?;
        let refuse = |k: usize| {
            error!(
                Layout,
                "FlatSamples needs non-negative strides of whole samples; axis {k} has a stride of {} bytes",
                typed.strides()[k]
            )
        };
        let elements = crate::layout::element_strides(
            typed.shape(),
            typed.strides(),
            core::mem::size_of::<T>().max(1),
        )
        .map_err(refuse)?;
        let mut samples_strides = [0usize; 3];
        for (k, &s) in elements.iter().enumerate() {
            samples_strides[k] = usize::try_from(s).map_err(|_| refuse(k))?;
        }
        let shape = view.shape();
        let channels = if view.ndim() == 3 { shape[2] } else { 1 };
        let channels = u8::try_from(channels)
            .map_err(|_| error!(Shape, "{channels} channels do not fit FlatSamples' u8"))?;
        let (width, height) = dims_u32(&view)?;
        // The samples from the first element to the end of the view's extent.
        let start = view.offset();
        let end = if view.is_empty() {
            start
        } else {
            start
                + typed
                    .strides()
                    .iter()
                    .zip(shape)
                    .map(|(&s, &d)| s as usize * (d - 1))
                    .sum::<usize>()
                + core::mem::size_of::<T>().max(1)
        };
        let samples = crate::typed::slice_from_bytes::<T>(&view.buffer()[start..end])?;
        Ok(FlatSamples {
            samples,
            layout: SampleLayout {
                channels,
                channel_stride: if view.ndim() == 3 {
                    samples_strides[2]
                } else {
                    1
                },
                width,
                width_stride: samples_strides[1],
                height,
                height_stride: samples_strides[0],
            },
            color_hint: None,
        })
    }
}
