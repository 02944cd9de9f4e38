"""Reading published reports (web pages, copied text, Word, PDF).

Each front-end turns a document into a :class:`~xxgk.published.grid.GridBook`
(tables and paragraphs, every cell with its origin) and hands it to the
label-based reader (:func:`xxgk.reader.read_book`).  Heavy libraries (lxml,
python-docx, pdfplumber) are imported only inside the front-ends.
"""
