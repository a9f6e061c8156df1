//! The 25 WAMP message classes, generated from the core's message table.
//!
//! Each class is frozen, compares by value, has `TYPE`, `__match_args__` and a repr, and its
//! constructor applies the decoder's checks (ProtocolError naming message and field).

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyString, PyTuple};
use pyo3::PyTypeInfo;
use pywamp_core::codec::message::{specs, FieldRefs};
use pywamp_core::codec::schema::{check_payload_alone, check_revocation, FieldKind, FieldSpec};
use pywamp_core::codec::{
    check_field, write_message, Checked, Error as CodecError, FieldRef, Message, MessageSpec,
    Writer,
};

use crate::errors::protocol_error;
use crate::values::{is_empty, type_name, write_py, PyValue};

/// A field of a message class: how it converts, compares, prints and encodes.
trait Field: Sized {
    fn eq_field(&self, other: &Self, py: Python<'_>) -> PyResult<bool>;
    fn repr_field(&self, py: Python<'_>) -> PyResult<String>;
    fn field_ref<'a, 'py>(&'a self, py: Python<'py>) -> FieldRef<&'a Bound<'py, PyAny>>;
}

impl Field for u64 {
    fn eq_field(&self, other: &Self, _py: Python<'_>) -> PyResult<bool> {
        Ok(self == other)
    }
    fn repr_field(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.to_string())
    }
    fn field_ref<'a, 'py>(&'a self, _py: Python<'py>) -> FieldRef<&'a Bound<'py, PyAny>> {
        FieldRef::Int(*self)
    }
}

impl Field for Py<PyAny> {
    fn eq_field(&self, other: &Self, py: Python<'_>) -> PyResult<bool> {
        self.bind(py).eq(other.bind(py))
    }
    fn repr_field(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.bind(py).repr()?.to_string())
    }
    fn field_ref<'a, 'py>(&'a self, py: Python<'py>) -> FieldRef<&'a Bound<'py, PyAny>> {
        FieldRef::Value(self.bind(py))
    }
}

impl Field for Option<Py<PyAny>> {
    fn eq_field(&self, other: &Self, py: Python<'_>) -> PyResult<bool> {
        match (self, other) {
            (None, None) => Ok(true),
            (Some(a), Some(b)) => a.eq_field(b, py),
            _ => Ok(false),
        }
    }
    fn repr_field(&self, py: Python<'_>) -> PyResult<String> {
        match self {
            None => Ok("None".to_owned()),
            Some(v) => v.repr_field(py),
        }
    }
    fn field_ref<'a, 'py>(&'a self, py: Python<'py>) -> FieldRef<&'a Bound<'py, PyAny>> {
        FieldRef::Opt(self.as_ref().map(|v| v.bind(py)))
    }
}

/// Moves a decoded field into a class field.
trait IntoField<T> {
    fn into_field(self) -> T;
}
impl IntoField<u64> for u64 {
    fn into_field(self) -> u64 {
        self
    }
}
impl IntoField<Py<PyAny>> for PyValue<'_> {
    fn into_field(self) -> Py<PyAny> {
        self.0.unbind()
    }
}
impl IntoField<Option<Py<PyAny>>> for Option<PyValue<'_>> {
    fn into_field(self) -> Option<Py<PyAny>> {
        self.map(|v| v.0.unbind())
    }
}

fn invalid(py: Python<'_>, e: CodecError) -> PyErr {
    protocol_error(py, e.to_string())
}

fn field_spec(spec: &'static MessageSpec, i: usize) -> &'static FieldSpec {
    // The tables are generated together: every index used here exists.
    spec.fields.get(i).unwrap_or(&NO_FIELD)
}

static NO_FIELD: FieldSpec = FieldSpec {
    name: "?",
    kind: FieldKind::Str,
    rules: &[],
};

/// Dict fields need str keys at their top level (nested values are checked on encode).
fn check_keys(
    py: Python<'_>,
    spec: &MessageSpec,
    field: &FieldSpec,
    v: &Bound<'_, PyAny>,
) -> PyResult<()> {
    if let Ok(d) = v.cast::<pyo3::types::PyDict>() {
        for (k, _) in d.iter() {
            if !k.is_instance_of::<PyString>() {
                return Err(protocol_error(
                    py,
                    format!(
                        "{}.{} keys must be strings, got {} ({})",
                        spec.name,
                        field.name,
                        type_name(&k),
                        k.repr()?
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A required integer field (an id or code).
fn int_arg(
    py: Python<'_>,
    spec: &'static MessageSpec,
    i: usize,
    v: &Bound<'_, PyAny>,
) -> PyResult<u64> {
    match check_field(spec, field_spec(spec, i), &PyValue(v.clone())).map_err(|e| invalid(py, e))? {
        Checked::Int(n) => Ok(n),
        _ => Err(protocol_error(
            py,
            format!("{}.{} must be an int", spec.name, field_spec(spec, i).name),
        )),
    }
}

/// A required value field (a URI, string or dict).
fn value_arg(
    py: Python<'_>,
    spec: &'static MessageSpec,
    i: usize,
    v: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    let field = field_spec(spec, i);
    check_keys(py, spec, field, v)?;
    check_field(spec, field, &PyValue(v.clone())).map_err(|e| invalid(py, e))?;
    Ok(v.clone().unbind())
}

/// An optional field: args (a tuple becomes a list), kwargs, details or payload.
fn opt_arg(
    py: Python<'_>,
    spec: &'static MessageSpec,
    i: usize,
    v: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Py<PyAny>>> {
    let Some(v) = v.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let field = field_spec(spec, i);
    let v = match v.cast::<PyTuple>() {
        Ok(t) if field.kind == FieldKind::Args => PyList::new(py, t.iter())?.into_any(),
        _ => v.clone(),
    };
    check_keys(py, spec, field, &v)?;
    match check_field(spec, field, &PyValue(v.clone())).map_err(|e| invalid(py, e))? {
        Checked::Empty => Ok(None),
        Checked::Payload if field.kind == FieldKind::Args => Err(protocol_error(
            py,
            format!(
                "{}.args must be a list, got bytes (pass payload= for a binary payload)",
                spec.name
            ),
        )),
        _ => Ok(Some(v.unbind())),
    }
}

/// Checks between fields: a payload stands alone; request id 0 only for a revocation.
fn check_whole(
    py: Python<'_>,
    spec: &'static MessageSpec,
    fields: &[FieldRef<&Bound<'_, PyAny>>],
) -> PyResult<()> {
    let mut has_args = false;
    let mut payload = false;
    let mut revocation = None;
    let mut details = false;
    for (f, v) in spec.fields.iter().zip(fields) {
        match (f.kind, v) {
            (FieldKind::Args | FieldKind::Kwargs, FieldRef::Opt(Some(_))) => has_args = true,
            (FieldKind::Payload, FieldRef::Opt(Some(_))) => payload = true,
            (FieldKind::RevocableId, FieldRef::Int(id)) => revocation = Some(*id),
            (FieldKind::OptDict, FieldRef::Opt(Some(_))) => details = true,
            _ => {}
        }
    }
    if payload {
        check_payload_alone(spec, has_args).map_err(|e| invalid(py, e))?;
    }
    if let Some(id) = revocation {
        check_revocation(spec, id, details).map_err(|e| invalid(py, e))?;
    }
    Ok(())
}

fn next(i: &mut usize) -> usize {
    *i += 1;
    *i - 1
}

macro_rules! req_arg {
    (Id, $py:ident, $spec:ident, $i:expr, $v:ident) => {
        int_arg($py, $spec, $i, &$v)?
    };
    (RequestType, $py:ident, $spec:ident, $i:expr, $v:ident) => {
        int_arg($py, $spec, $i, &$v)?
    };
    (RevocableId, $py:ident, $spec:ident, $i:expr, $v:ident) => {
        int_arg($py, $spec, $i, &$v)?
    };
    ($kind:ident, $py:ident, $spec:ident, $i:expr, $v:ident) => {
        value_arg($py, $spec, $i, &$v)?
    };
}

macro_rules! py_messages {
    ($(
        $name:ident = $code:literal, $wire:literal
            ( $($req:ident : $rkind:ident $(= $rrules:ident)?),* )
            [ $($opt:ident : $okind:ident $(= $orules:ident)?),* ];
    )*) => {
        $(
            #[doc = concat!("WAMP ", $wire, " (type ", stringify!($code), ").")]
            #[pyclass(frozen, module = "pywamp._native")]
            pub(crate) struct $name {
                $(#[pyo3(get)] $req: pywamp_core::wamp_field_type!($rkind, Py<PyAny>),)*
                $(#[pyo3(get)] $opt: pywamp_core::wamp_field_type!($okind, Py<PyAny>),)*
            }

            impl $name {
                fn fields<'a, 'py>(&'a self, py: Python<'py>) -> FieldRefs<&'a Bound<'py, PyAny>> {
                    FieldRefs::new([$(self.$req.field_ref(py),)* $(self.$opt.field_ref(py),)*])
                }

                fn write<W: Writer>(&self, py: Python<'_>, w: &mut W) -> std::result::Result<(), CodecError> {
                    let fields = self.fields(py);
                    write_message(
                        &specs::$name,
                        fields.as_slice(),
                        w,
                        &mut |v: &Bound<'_, PyAny>, w: &mut W| write_py(v, w, 2),
                        &|v: &Bound<'_, PyAny>| is_empty(v),
                    )
                }
            }

            #[pymethods]
            impl $name {
                #[classattr]
                const TYPE: u64 = $code;

                #[classattr]
                fn __match_args__(py: Python<'_>) -> PyResult<Py<PyTuple>> {
                    PyTuple::new(py, [$(stringify!($req),)* $(stringify!($opt),)*]).map(Bound::unbind)
                }

                #[new]
                #[allow(clippy::too_many_arguments)] // one per spec field (ERROR has seven)
                #[pyo3(signature = ($($req),* $(, $opt = None)*))]
                fn new(
                    py: Python<'_>,
                    $($req: Bound<'_, PyAny>,)*
                    $($opt: Option<Bound<'_, PyAny>>,)*
                ) -> PyResult<Self> {
                    let spec: &'static MessageSpec = &specs::$name;
                    let mut i = 0usize;
                    $(let $req = req_arg!($rkind, py, spec, next(&mut i), $req);)*
                    $(let $opt = opt_arg(py, spec, next(&mut i), $opt.as_ref())?;)*
                    let _ = i; // the count after the last field is not needed
                    let msg = $name { $($req,)* $($opt,)* };
                    check_whole(py, spec, msg.fields(py).as_slice())?;
                    Ok(msg)
                }

                fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
                    let py = other.py();
                    let Ok(other) = other.cast::<$name>() else {
                        return Ok(false);
                    };
                    let other = other.get();
                    $(if !self.$req.eq_field(&other.$req, py)? { return Ok(false); })*
                    $(if !self.$opt.eq_field(&other.$opt, py)? { return Ok(false); })*
                    Ok(true)
                }

                fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                    let mut parts: Vec<String> = Vec::new();
                    $(parts.push(format!("{}={}", stringify!($req), self.$req.repr_field(py)?));)*
                    $(
                        let shown = self.$opt.repr_field(py)?;
                        if stringify!($opt) != "payload" || shown != "None" {
                            parts.push(format!("{}={}", stringify!($opt), shown));
                        }
                    )*
                    Ok(format!("{}({})", stringify!($name), parts.join(", ")))
                }
            }
        )*

        /// The class instance for a decoded message.
        pub(crate) fn to_python<'py>(py: Python<'py>, msg: Message<PyValue<'py>>) -> PyResult<Bound<'py, PyAny>> {
            Ok(match msg {
                $(Message::$name { $($req,)* $($opt,)* } => Bound::new(py, $name {
                    $($req: $req.into_field(),)*
                    $($opt: $opt.into_field(),)*
                })?.into_any(),)*
            })
        }

        /// Every message class by type object address, with its code (the classes are final,
        /// so an exact type match is the whole test).
        fn class_table(py: Python<'_>) -> &[(usize, u64)] {
            static TABLE: PyOnceLock<Vec<(usize, u64)>> = PyOnceLock::new();
            TABLE.get_or_init(py, || vec![$((<$name as PyTypeInfo>::type_object_raw(py) as usize, $code)),*])
        }

        /// Encode a message object; None when `obj` is not a message class.
        pub(crate) fn write_any<W: Writer>(obj: &Bound<'_, PyAny>, w: &mut W) -> Option<std::result::Result<(), CodecError>> {
            let py = obj.py();
            let address = obj.get_type_ptr() as usize;
            let code = class_table(py).iter().find(|(a, _)| *a == address)?.1;
            match code {
                $($code => obj.cast_exact::<$name>().ok().map(|m| m.get().write(py, w)),)*
                _ => None,
            }
        }

        /// Add every message class to the module.
        pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(m.add_class::<$name>()?;)*
            Ok(())
        }
    };
}

pywamp_core::for_each_message!(py_messages);

/// Constructors for the messages the router forwards (EVENT, INVOCATION, RESULT): their
/// parts are the arguments of a message that was checked as it arrived, and ids and
/// details the router made itself, so they skip the constructor's checks (a checked
/// EVENT was a third of routing a publication to one subscriber).
macro_rules! router_constructors {
    ($($fn_name:ident => $class:ident ($($id:ident),*);)*) => {
        $(
            #[doc = concat!("A ", stringify!($class), " from parts the router holds, already checked.")]
            #[pyfunction]
            pub(crate) fn $fn_name(
                py: Python<'_>,
                $($id: u64,)*
                details: Py<PyAny>,
                args: Option<Py<PyAny>>,
                kwargs: Option<Py<PyAny>>,
                payload: Option<Py<PyAny>>,
            ) -> PyResult<Py<$class>> {
                Py::new(py, $class { $($id,)* details, args, kwargs, payload })
            }
        )*
        /// Add the router's constructors to the module.
        pub(crate) fn register_router_constructors(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(m.add_function(wrap_pyfunction!($fn_name, m)?)?;)*
            Ok(())
        }
    };
}

router_constructors! {
    router_event => Event(subscription, publication);
    router_invocation => Invocation(request_id, registration);
    router_result => Result(request_id);
}
