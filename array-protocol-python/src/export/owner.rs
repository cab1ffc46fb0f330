//! What an export holds: the owner, read-only or writable, behind one trait.

#[allow(unused_imports)]
use super::*;

/// What an export holds: the owner, read-only or writable.
pub(super) trait Owner: Send + Sync + 'static {
    fn view(&self) -> Result<ArrayView<'_>, Error>;
    fn axis_names(&self) -> Option<Vec<String>>;
    fn view_mut(&mut self) -> Option<Result<ArrayViewMut<'_>, Error>>;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

pub(super) struct ReadOnly<P>(pub(super) P);

pub(super) fn names(names: Option<&[&str]>) -> Option<Vec<String>> {
    names.map(|n| n.iter().map(|s| s.to_string()).collect())
}
pub(super) struct Writable<P>(pub(super) P);

impl<P: ArrayProducer + Send + Sync + 'static> Owner for ReadOnly<P> {
    fn view(&self) -> Result<ArrayView<'_>, Error> {
        self.0.try_array()
    }
    fn axis_names(&self) -> Option<Vec<String>> {
        names(self.0.axis_names())
    }
    fn view_mut(&mut self) -> Option<Result<ArrayViewMut<'_>, Error>> {
        None
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        &mut self.0
    }
}

impl<P: ArrayProducerMut + Send + Sync + 'static> Owner for Writable<P> {
    fn view(&self) -> Result<ArrayView<'_>, Error> {
        self.0.try_array()
    }
    fn axis_names(&self) -> Option<Vec<String>> {
        names(self.0.axis_names())
    }
    fn view_mut(&mut self) -> Option<Result<ArrayViewMut<'_>, Error>> {
        Some(self.0.try_array_mut())
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        &mut self.0
    }
}

/// The format string an imported buffer came with, handed on unchanged when it is re-exported
/// (it describes the same item type as the view, which may render it differently).
pub(super) fn original_format(owner: &mut dyn Any) -> Option<CString> {
    if let Some(b) = owner.downcast_ref::<Buffer>() {
        return Some(b.format().to_owned());
    }
    if let Some(b) = owner.downcast_ref::<BufferMut>() {
        return Some(b.format().to_owned());
    }
    owner
        .downcast_ref::<Imported>()
        .and_then(Imported::exporter_format)
        .map(|f| f.to_owned())
}
