//! A viewer that reads any image through the protocol alone: it does not know the producer's
//! crate, only that the array holds one byte per channel.

use array_protocol::{ArrayProducer, ArrayView, Contiguity, Element, Error, Requirements};

/// Per-channel histograms of an image, 16 buckets each.
pub struct Histogram {
    /// `(height, width)` of the image.
    pub size: (usize, usize),
    /// One row of 16 counts per channel.
    pub channels: Vec<[usize; 16]>,
}

/// An image the viewer made, in its own type: `height × width × channels` bytes.
#[derive(array_protocol::ArrayProducer)]
#[array(shape = [height, width, channels])]
pub struct Picture {
    pub width: usize,
    pub height: usize,
    pub channels: usize,
    #[array(data)]
    pub bytes: Vec<u8>,
}

/// The image as a `height × width × channels` array of `u8`: an array of that shape as is, or a
/// `height × width` array of 4-byte pixels (a record of four `u8`s, or a `u32`) split into
/// channels without copying. Anything else is refused with the protocol's error.
pub fn channels<'a>(image: &ArrayView<'a>) -> Result<ArrayView<'a>, Error> {
    let view = if image.ndim() == 2 && image.itemsize() == 4 {
        image.clone().split_items::<u8>()?
    } else {
        image.clone()
    };
    let need = Requirements {
        item: Some(u8::item_type()),
        ndim: Some(3),
        contiguity: Contiguity::Any,
        writable: false,
    };
    need.check(&view)?;
    Ok(view)
}

/// Counts channel values of any image a producer exposes.
pub fn histogram(image: &impl ArrayProducer) -> Result<Histogram, Error> {
    let view = image.try_array()?;
    let view = channels(&view)?;
    let (h, w, c) = (view.shape()[0], view.shape()[1], view.shape()[2]);
    let data = view.typed::<u8>()?;
    let mut channels = vec![[0usize; 16]; c];
    for y in 0..h {
        for x in 0..w {
            for (k, counts) in channels.iter_mut().enumerate() {
                counts[usize::from(data[[y, x, k]] / 16)] += 1;
            }
        }
    }
    Ok(Histogram {
        size: (h, w),
        channels,
    })
}

/// A negative of any image, as the viewer's own [`Picture`] (alpha, the fourth channel, kept).
pub fn negative(image: &impl ArrayProducer) -> Result<Picture, Error> {
    let view = image.try_array()?;
    let view = channels(&view)?;
    let (height, width, channels) = (view.shape()[0], view.shape()[1], view.shape()[2]);
    let mut bytes = view.to_vec::<u8>()?;
    for (i, b) in bytes.iter_mut().enumerate() {
        if i % channels != 3 {
            *b = 255 - *b;
        }
    }
    Ok(Picture {
        width,
        height,
        channels,
        bytes,
    })
}

impl std::fmt::Display for Histogram {
    /// One line of bars per channel.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
        let names = ["R", "G", "B", "A"];
        writeln!(
            f,
            "{}×{} pixels, 16 buckets per channel",
            self.size.1, self.size.0
        )?;
        for (k, counts) in self.channels.iter().enumerate() {
            let max = counts.iter().copied().max().unwrap_or(0).max(1);
            let bars: String = counts
                .iter()
                .map(|&n| {
                    if n == 0 {
                        ' '
                    } else {
                        BARS[(n * 7).div_ceil(max).min(7)]
                    }
                })
                .collect();
            writeln!(f, "{:>2} |{bars}|", names.get(k).copied().unwrap_or("?"))?;
        }
        Ok(())
    }
}
