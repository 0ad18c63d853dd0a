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
  "l2": 1,
  "features": [
    "submittedShare",
    "scoreRank",
    "meanScore",
    "lateShare",
    "recencyRank",
    "aheadCount",
    "trend"
  ],
  "mean": [
    0.863608,
    0.5,
    0.721141,
    0.316656,
    0.5,
    0.0604442,
    0.0357361
  ],
  "sd": [
    0.295274,
    0.287313,
    0.195329,
    0.375275,
    0.259965,
    0.404944,
    0.185281
  ],
  "intercept": -0.264788,
  "weights": [
    -0.532881,
    -0.864053,
    -0.129565,
    0.154493,
    0.0825672,
    0.0871044,
    -0.220543
  ],
  "thresholds": {
    "precision-first": {
      "threshold": 0.501286,
      "expectedPrecision": 0.700158,
      "expectedRecall": 0.577404,
      "rule": "the lowest risk whose precision on held-out modules was at least 0.7: the most learners found with at most 30 % false alarms"
    },
    "recall-first": {
      "threshold": 0.313449,
      "expectedPrecision": 0.596738,
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
          "rocAuc": 0.719141,
          "prAuc": 0.638238,
          "precision": 0.692779,
          "recall": 0.555586,
          "f1": 0.616644,
          "recallAtPrecision70": 0.537968,
          "recallAtPrecision80": 0.000819448
        },
        "byGroup": {
          "AAA": {
            "learners": 716,
            "positives": 185,
            "baseRate": 0.25838,
            "rocAuc": 0.705237,
            "prAuc": 0.517409,
            "precision": 0.402985,
            "recall": 0.583784,
            "f1": 0.476821,
            "recallAtPrecision70": 0.243243,
            "recallAtPrecision80": 0.194595
          },
          "BBB": {
            "learners": 6414,
            "positives": 2663,
            "baseRate": 0.415186,
            "rocAuc": 0.658698,
            "prAuc": 0.5304,
            "precision": 0.589486,
            "recall": 0.551633,
            "f1": 0.569932,
            "recallAtPrecision70": 0.00638378,
            "recallAtPrecision80": 0.0022531
          },
          "CCC": {
            "learners": 3501,
            "positives": 1823,
            "baseRate": 0.520708,
            "rocAuc": 0.77877,
            "prAuc": 0.784302,
            "precision": 0.76015,
            "recall": 0.667581,
            "f1": 0.710864,
            "recallAtPrecision70": 0.741635,
            "recallAtPrecision80": 0.544707
          },
          "DDD": {
            "learners": 5258,
            "positives": 2651,
            "baseRate": 0.504184,
            "rocAuc": 0.789305,
            "prAuc": 0.799402,
            "precision": 0.84315,
            "recall": 0.480573,
            "f1": 0.612206,
            "recallAtPrecision70": 0.74387,
            "recallAtPrecision80": 0.575255
          }
        }
      },
      {
        "day": 60,
        "pooled": {
          "learners": 15138,
          "positives": 6568,
          "baseRate": 0.433875,
          "rocAuc": 0.778998,
          "prAuc": 0.732986,
          "precision": 0.714342,
          "recall": 0.547503,
          "f1": 0.619893,
          "recallAtPrecision70": 0.593027,
          "recallAtPrecision80": 0.290499
        },
        "byGroup": {
          "AAA": {
            "learners": 701,
            "positives": 170,
            "baseRate": 0.242511,
            "rocAuc": 0.776039,
            "prAuc": 0.554193,
            "precision": 0.447273,
            "recall": 0.723529,
            "f1": 0.552809,
            "recallAtPrecision70": 0.247059,
            "recallAtPrecision80": 0.176471
          },
          "BBB": {
            "learners": 6223,
            "positives": 2470,
            "baseRate": 0.396915,
            "rocAuc": 0.761856,
            "prAuc": 0.700472,
            "precision": 0.65915,
            "recall": 0.508907,
            "f1": 0.574366,
            "recallAtPrecision70": 0.453036,
            "recallAtPrecision80": 0.370445
          },
          "CCC": {
            "learners": 3210,
            "positives": 1532,
            "baseRate": 0.477259,
            "rocAuc": 0.759151,
            "prAuc": 0.738793,
            "precision": 0.677279,
            "recall": 0.610966,
            "f1": 0.642416,
            "recallAtPrecision70": 0.375979,
            "recallAtPrecision80": 0.340078
          },
          "DDD": {
            "learners": 5004,
            "positives": 2396,
            "baseRate": 0.478817,
            "rocAuc": 0.831666,
            "prAuc": 0.838846,
            "precision": 0.870748,
            "recall": 0.534224,
            "f1": 0.662183,
            "recallAtPrecision70": 0.799249,
            "recallAtPrecision80": 0.659432
          }
        }
      },
      {
        "day": 90,
        "pooled": {
          "learners": 14668,
          "positives": 6096,
          "baseRate": 0.415599,
          "rocAuc": 0.802436,
          "prAuc": 0.763943,
          "precision": 0.695122,
          "recall": 0.635827,
          "f1": 0.664154,
          "recallAtPrecision70": 0.624344,
          "recallAtPrecision80": 0.417651
        },
        "byGroup": {
          "AAA": {
            "learners": 693,
            "positives": 162,
            "baseRate": 0.233766,
            "rocAuc": 0.796511,
            "prAuc": 0.631607,
            "precision": 0.434457,
            "recall": 0.716049,
            "f1": 0.540793,
            "recallAtPrecision70": 0.401235,
            "recallAtPrecision80": 0.376543
          },
          "BBB": {
            "learners": 6089,
            "positives": 2335,
            "baseRate": 0.383478,
            "rocAuc": 0.774949,
            "prAuc": 0.726361,
            "precision": 0.628983,
            "recall": 0.617131,
            "f1": 0.623,
            "recallAtPrecision70": 0.504069,
            "recallAtPrecision80": 0.404283
          },
          "CCC": {
            "learners": 3054,
            "positives": 1376,
            "baseRate": 0.450557,
            "rocAuc": 0.789689,
            "prAuc": 0.770693,
            "precision": 0.662526,
            "recall": 0.697674,
            "f1": 0.679646,
            "recallAtPrecision70": 0.500727,
            "recallAtPrecision80": 0.428779
          },
          "DDD": {
            "learners": 4832,
            "positives": 2223,
            "baseRate": 0.460058,
            "rocAuc": 0.864176,
            "prAuc": 0.863787,
            "precision": 0.866157,
            "recall": 0.611336,
            "f1": 0.716772,
            "recallAtPrecision70": 0.838057,
            "recallAtPrecision80": 0.726946
          }
        }
      }
    ]
  }
};
