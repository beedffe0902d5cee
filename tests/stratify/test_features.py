"""The model's feature matrix: one column per feature in feature_names() order, unknown as NaN,
laid out column-major (it is filled a feature at a time)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from icp.stratify import features


def test_the_feature_matrix_is_column_major_with_missing_measures_unknown() -> None:
    names = features.feature_names()
    scores = pa.table(
        {
            "patient_id": ["a", "b"],
            "sex": ["female", "male"],
            "lives_alone": pa.array([None, True]),
            **{name: pa.array([1, 2], pa.int32()) for name in names if name not in ("female", "lives_alone")},
        }
    )
    observations = pa.table(
        {"patient_id": ["b"], **{measure: pa.array([7.5]) for measure in features.observation_measures()}}
    )
    matrix, found = features.matrix(scores, observations)
    assert found == names
    assert matrix.flags["F_CONTIGUOUS"] and matrix.dtype == np.float32
    column = {name: i for i, name in enumerate(names)}
    assert matrix[:, column["female"]].tolist() == [1.0, 0.0]
    assert matrix[:, column["lives_alone"]].tolist() == [0.0, 1.0]
    assert matrix[:, column["age"]].tolist() == [1.0, 2.0]
    measure = features.observation_measures()[0]
    assert np.isnan(matrix[0, column[measure]]) and matrix[1, column[measure]] == 7.5
