/**
 * The early-warning model's weights, written by `learnstream early-warning train` (docs/early-warning.md).
 * JSON in a module, so that the build carries it; edit by training again, not by hand.
 */
import type { EarlyWarningModel } from './model';

export const TRAINED_MODEL: EarlyWarningModel = {
  "version": 1,
  "description": "Logistic regression: risk that a learner fails or withdraws, from what the course log says by a date (docs/early-warning.md).",
  "trainedOn": "AAA 2013J, AAA 2014J, BBB 2013B, BBB 2013J, BBB 2014B, BBB 2014J, CCC 2014B, CCC 2014J, DDD 2013B, DDD 2013J, DDD 2014B, DDD 2014J (days 30, 60, 90)",
  "atDays": [
    30,
    60,
    90
  ],
  "l2": 300,
  "features": [
    "submittedShare",
    "assessmentRank",
    "recentRank",
    "trend",
    "leadRank",
    "daysSinceLast",
    "classSubmittedShare"
  ],
  "mean": [
    0.863608,
    0.499942,
    0.499941,
    0.0361514,
    0.5,
    24.1875,
    0.863608
  ],
  "sd": [
    0.295274,
    0.253458,
    0.256488,
    0.185185,
    0.279276,
    27.0892,
    0.0598987
  ],
  "intercept": -0.246857,
  "weights": [
    -0.165097,
    -0.507145,
    -0.428471,
    -0.128301,
    -0.24302,
    0.237238,
    -0.0952983
  ],
  "thresholds": {
    "precision-first": {
      "threshold": 0.483101,
      "expectedPrecision": 0.700118,
      "expectedRecall": 0.622736,
      "rule": "the lowest risk whose precision on held-out modules was at least 0.7: the most learners found with at most 30 % false alarms"
    },
    "recall-first": {
      "threshold": 0.327807,
      "expectedPrecision": 0.602767,
      "expectedRecall": 0.80001,
      "rule": "the highest risk that still found 80 % of the learners who went on to fail or withdraw, on held-out modules"
    }
  },
  "validation": {
    "byDay": [
      {
        "day": 30,
        "pooled": {
          "learners": 15889,
          "positives": 7322,
          "baseRate": 0.460822,
          "rocAuc": 0.742154,
          "prAuc": 0.723746,
          "precision": 0.68658,
          "recall": 0.560366,
          "f1": 0.617085,
          "recallAtPrecision70": 0.518984,
          "recallAtPrecision80": 0.3118
        },
        "byGroup": {
          "AAA": {
            "learners": 716,
            "positives": 185,
            "baseRate": 0.25838,
            "rocAuc": 0.702667,
            "prAuc": 0.50293,
            "precision": 0.403448,
            "recall": 0.632432,
            "f1": 0.492632,
            "recallAtPrecision70": 0.27027,
            "recallAtPrecision80": 0.194595
          },
          "BBB": {
            "learners": 6414,
            "positives": 2663,
            "baseRate": 0.415186,
            "rocAuc": 0.705441,
            "prAuc": 0.679271,
            "precision": 0.568797,
            "recall": 0.591438,
            "f1": 0.579897,
            "recallAtPrecision70": 0.42884,
            "recallAtPrecision80": 0.346226
          },
          "CCC": {
            "learners": 3501,
            "positives": 1823,
            "baseRate": 0.520708,
            "rocAuc": 0.802335,
            "prAuc": 0.809573,
            "precision": 0.84676,
            "recall": 0.530444,
            "f1": 0.652277,
            "recallAtPrecision70": 0.784421,
            "recallAtPrecision80": 0.609435
          },
          "DDD": {
            "learners": 5258,
            "positives": 2651,
            "baseRate": 0.504184,
            "rocAuc": 0.791237,
            "prAuc": 0.80093,
            "precision": 0.813521,
            "recall": 0.5447,
            "f1": 0.652508,
            "recallAtPrecision70": 0.749151,
            "recallAtPrecision80": 0.579027
          }
        }
      },
      {
        "day": 60,
        "pooled": {
          "learners": 15138,
          "positives": 6568,
          "baseRate": 0.433875,
          "rocAuc": 0.801446,
          "prAuc": 0.772959,
          "precision": 0.73417,
          "recall": 0.614342,
          "f1": 0.668932,
          "recallAtPrecision70": 0.671285,
          "recallAtPrecision80": 0.429963
        },
        "byGroup": {
          "AAA": {
            "learners": 701,
            "positives": 170,
            "baseRate": 0.242511,
            "rocAuc": 0.777988,
            "prAuc": 0.545296,
            "precision": 0.415584,
            "recall": 0.752941,
            "f1": 0.535565,
            "recallAtPrecision70": 0.182353,
            "recallAtPrecision80": 0.0764706
          },
          "BBB": {
            "learners": 6223,
            "positives": 2470,
            "baseRate": 0.396915,
            "rocAuc": 0.800775,
            "prAuc": 0.771026,
            "precision": 0.72741,
            "recall": 0.583401,
            "f1": 0.647495,
            "recallAtPrecision70": 0.61498,
            "recallAtPrecision80": 0.489879
          },
          "CCC": {
            "learners": 3210,
            "positives": 1532,
            "baseRate": 0.477259,
            "rocAuc": 0.769049,
            "prAuc": 0.754271,
            "precision": 0.687166,
            "recall": 0.671018,
            "f1": 0.678996,
            "recallAtPrecision70": 0.453655,
            "recallAtPrecision80": 0.359008
          },
          "DDD": {
            "learners": 5004,
            "positives": 2396,
            "baseRate": 0.478817,
            "rocAuc": 0.836655,
            "prAuc": 0.842361,
            "precision": 0.840444,
            "recall": 0.600167,
            "f1": 0.700268,
            "recallAtPrecision70": 0.810935,
            "recallAtPrecision80": 0.65192
          }
        }
      },
      {
        "day": 90,
        "pooled": {
          "learners": 14668,
          "positives": 6096,
          "baseRate": 0.415599,
          "rocAuc": 0.821622,
          "prAuc": 0.798162,
          "precision": 0.683267,
          "recall": 0.706693,
          "f1": 0.694783,
          "recallAtPrecision70": 0.684547,
          "recallAtPrecision80": 0.543799
        },
        "byGroup": {
          "AAA": {
            "learners": 693,
            "positives": 162,
            "baseRate": 0.233766,
            "rocAuc": 0.787037,
            "prAuc": 0.606476,
            "precision": 0.398754,
            "recall": 0.790123,
            "f1": 0.530021,
            "recallAtPrecision70": 0.364198,
            "recallAtPrecision80": 0.234568
          },
          "BBB": {
            "learners": 6089,
            "positives": 2335,
            "baseRate": 0.383478,
            "rocAuc": 0.809439,
            "prAuc": 0.777784,
            "precision": 0.62386,
            "recall": 0.732334,
            "f1": 0.673759,
            "recallAtPrecision70": 0.637687,
            "recallAtPrecision80": 0.533191
          },
          "CCC": {
            "learners": 3054,
            "positives": 1376,
            "baseRate": 0.450557,
            "rocAuc": 0.82076,
            "prAuc": 0.811854,
            "precision": 0.671714,
            "recall": 0.709302,
            "f1": 0.689996,
            "recallAtPrecision70": 0.68314,
            "recallAtPrecision80": 0.554506
          },
          "DDD": {
            "learners": 4832,
            "positives": 2223,
            "baseRate": 0.460058,
            "rocAuc": 0.866472,
            "prAuc": 0.865947,
            "precision": 0.834637,
            "recall": 0.672065,
            "f1": 0.74458,
            "recallAtPrecision70": 0.844804,
            "recallAtPrecision80": 0.719748
          }
        }
      }
    ]
  }
};
