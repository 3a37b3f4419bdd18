"""``tf.data``: lazy datasets for ``model.fit_dataset`` (TF.js tfjs-data).

A dataset is a recipe: sources (``array``, ``generator``, ``func``, ``zip``, ``csv``) and
methods (``map``, ``filter``, ``batch``, ``shuffle``, ``take``, ``skip``, ``repeat``,
``concatenate``, ``prefetch``) only describe the stream; it is read when iterated, once per
iteration. See docs/data.md for how a CSV row becomes a training batch.
"""
from .csv import ColumnConfig, CSVDataset, csv
from .dataset import Dataset
from .sources import array, func, generator, zip

__all__ = ["array", "csv", "func", "generator", "zip", "Dataset", "CSVDataset", "ColumnConfig"]
