"""What every app's doors share: the errors actions raise, form styling, API field types,
Markdown for clinic-written documents and PDFs."""
