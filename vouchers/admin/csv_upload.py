"""The "Import CSV to end vouchers" page, with the upload stopped while it is read.

Django keeps a file upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE in a temporary file and has
no limit of its own on its size (DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out), so a 100 MB
upload would be received in full before the import refused it. Here:

- a request whose declared size (CONTENT_LENGTH) is over the limit, with room for the form's
  other fields, is refused before a byte of its body is read (and without the CSRF check,
  which needs the body: the refusal changes nothing);
- otherwise an upload handler counts the file's bytes as they arrive and stops the upload at
  the limit (`StopUpload`, the rest left unread), and the page says why.

CSRF is checked after the handler is in place (Django's documented pattern: the view is
exempt, the part that reads the form is `csrf_protect`ed), as CsrfViewMiddleware would
otherwise read the whole body first. The file's contents are read by
runs.services.csv_import; nothing is ended here.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect

from runs.services import csv_import
from runs.services.selection import selection_save, selection_vouchers
from shops.services.access import shops_visible
from vouchers.admin import ending

# Besides the file: the CSRF token, the multipart boundaries and part headers.
FORM_OVERHEAD_BYTES = 64 * 1024


def _too_large_message() -> str:
    return gettext("The file is larger than %(mb)s MB: split it into smaller files.") % {
        "mb": csv_import.MAX_BYTES // (1024 * 1024)
    }


class CsvImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=format_lazy(
            _("At most {mb} MB, UTF-8, comma or semicolon separated."),
            mb=csv_import.MAX_BYTES // (1024 * 1024),
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, too_large=False, **kwargs):
        """`too_large`: the upload was stopped for its size (the file is then missing)."""
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        if too_large:
            self.fields["file"].required = False

    def clean_file(self):
        file = self.cleaned_data["file"]
        if self.too_large or file.size > csv_import.MAX_BYTES:
            raise forms.ValidationError(_too_large_message())
        return file


class UploadLimitHandler(FileUploadHandler):
    """Counts the bytes of the uploaded files as they arrive; past `max_bytes` it stops the
    upload without reading the rest, and marks the request (`upload_too_large`)."""

    def __init__(self, request, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler keeps the file


def declared_too_large(request, max_bytes: int) -> bool:
    """Whether the request says its body is larger than a file of `max_bytes` and the form."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # Django reads such a body as empty
    return length > max_bytes + FORM_OVERHEAD_BYTES


def import_view(model_admin, request):
    """Upload a CSV; its vouchers go to the confirmation page, nothing is ended here. The
    admin's URL wraps this view `csrf_exempt`: see the module docstring."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if not model_admin.has_end_voucher_permission(request):
        raise PermissionDenied
    if request.method == "GET":
        return _page(model_admin, request, CsvImportForm())
    if declared_too_large(request, csv_import.MAX_BYTES):
        return _page(model_admin, request, CsvImportForm({}, too_large=True))
    request.upload_handlers.insert(0, UploadLimitHandler(request, csv_import.MAX_BYTES))

    @csrf_protect
    def read_upload(request):
        files = request.FILES  # reads the body (unless the CSRF check did), through the handler
        stopped = getattr(request, "upload_too_large", False)
        form = CsvImportForm(request.POST, files, too_large=stopped)
        if not form.is_valid():
            return _page(model_admin, request, form)
        upload = form.cleaned_data["file"]
        result = csv_import.vouchers_from_csv(data=upload.read(), shops=shops_visible(request.user))
        if not result.voucher_ids:
            return _page(model_admin, request, form, result)
        saved = selection_save(
            voucher_ids=result.voucher_ids,
            actor=request.user,
            description=f"the CSV file {upload.name}",
        )
        return ending.confirmation(
            model_admin,
            request,
            selection_vouchers(saved),
            selection=ending.Selection(saved=saved),
            next_url=reverse("admin:vouchers_voucher_changelist"),
            extra_context={"import_errors": result.errors, "import_summary": result.summary},
        )

    return read_upload(request)


def _page(model_admin, request, form, result=None):
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Import CSV to end vouchers"),
        "subtitle": None,
        "opts": model_admin.opts,
        "form": form,
        "import_errors": result.errors if result else [],
        "import_summary": result.summary if result else "",
        "media": model_admin.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/vouchers/voucher/csv_import.html", context)
