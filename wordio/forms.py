from django import forms


class WordImportForm(forms.Form):
    file = forms.FileField(
        label="Word document (.docx)",
        help_text="A report written on the council's template. Each field it recognises is filled in; the rest is "
        "listed for you to place.",
        widget=forms.ClearableFileInput(attrs={"accept": ".docx"}),
    )
