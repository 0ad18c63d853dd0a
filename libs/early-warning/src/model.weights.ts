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
    "trend",
    "lateShare",
    "leadRank",
    "daysSinceLast",
    "classSubmittedShare"
  ],
  "mean": [
    0.863608,
    0.5,
    0.0357361,
    0.316656,
    0.5,
    24.1875,
    0.863608
  ],
  "sd": [
    0.295274,
    0.287313,
    0.185281,
    0.375275,
    0.27941,
    27.0892,
    0.0598987
  ],
  "intercept": -0.262002,
  "weights": [
    -0.0350253,
    -0.99005,
    -0.224657,
    0.11712,
    -0.223541,
    0.352116,
    -0.105461
  ],
  "thresholds": {
    "precision-first": {
      "threshold": 0.5032,
      "expectedPrecision": 0.700085,
      "expectedRecall": 0.61458,
      "rule": "the lowest risk whose precision on held-out modules was at least 0.7: the most learners found with at most 30 % false alarms"
    },
    "recall-first": {
      "threshold": 0.320841,
      "expectedPrecision": 0.604934,
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
          "rocAuc": 0.742128,
          "prAuc": 0.727347,
          "precision": 0.693794,
          "recall": 0.55422,
          "f1": 0.616202,
          "recallAtPrecision70": 0.526632,
          "recallAtPrecision80": 0.344032
        },
        "byGroup": {
          "AAA": {
            "learners": 716,
            "positives": 185,
            "baseRate": 0.25838,
            "rocAuc": 0.704286,
            "prAuc": 0.500612,
            "precision": 0.40625,
            "recall": 0.562162,
            "f1": 0.471655,
            "recallAtPrecision70": 0.254054,
            "recallAtPrecision80": 0.194595
          },
          "BBB": {
            "learners": 6414,
            "positives": 2663,
            "baseRate": 0.415186,
            "rocAuc": 0.707342,
            "prAuc": 0.681197,
            "precision": 0.574563,
            "recall": 0.580173,
            "f1": 0.577354,
            "recallAtPrecision70": 0.433346,
            "recallAtPrecision80": 0.347728
          },
          "CCC": {
            "learners": 3501,
            "positives": 1823,
            "baseRate": 0.520708,
            "rocAuc": 0.802768,
            "prAuc": 0.809742,
            "precision": 0.801221,
            "recall": 0.647833,
            "f1": 0.716409,
            "recallAtPrecision70": 0.783324,
            "recallAtPrecision80": 0.647833
          },
          "DDD": {
            "learners": 5258,
            "positives": 2651,
            "baseRate": 0.504184,
            "rocAuc": 0.791861,
            "prAuc": 0.801575,
            "precision": 0.858741,
            "recall": 0.463221,
            "f1": 0.601813,
            "recallAtPrecision70": 0.754055,
            "recallAtPrecision80": 0.582422
          }
        }
      },
      {
        "day": 60,
        "pooled": {
          "learners": 15138,
          "positives": 6568,
          "baseRate": 0.433875,
          "rocAuc": 0.793651,
          "prAuc": 0.752896,
          "precision": 0.732203,
          "recall": 0.591961,
          "f1": 0.654656,
          "recallAtPrecision70": 0.670676,
          "recallAtPrecision80": 0.302071
        },
        "byGroup": {
          "AAA": {
            "learners": 701,
            "positives": 170,
            "baseRate": 0.242511,
            "rocAuc": 0.775562,
            "prAuc": 0.523907,
            "precision": 0.456604,
            "recall": 0.711765,
            "f1": 0.556322,
            "recallAtPrecision70": 0.141176,
            "recallAtPrecision80": 0.0764706
          },
          "BBB": {
            "learners": 6223,
            "positives": 2470,
            "baseRate": 0.396915,
            "rocAuc": 0.796769,
            "prAuc": 0.762912,
            "precision": 0.705713,
            "recall": 0.595142,
            "f1": 0.645728,
            "recallAtPrecision70": 0.612955,
            "recallAtPrecision80": 0.462348
          },
          "CCC": {
            "learners": 3210,
            "positives": 1532,
            "baseRate": 0.477259,
            "rocAuc": 0.761342,
            "prAuc": 0.744627,
            "precision": 0.681481,
            "recall": 0.660574,
            "f1": 0.670865,
            "recallAtPrecision70": 0.375979,
            "recallAtPrecision80": 0.348564
          },
          "DDD": {
            "learners": 5004,
            "positives": 2396,
            "baseRate": 0.478817,
            "rocAuc": 0.839519,
            "prAuc": 0.84309,
            "precision": 0.870007,
            "recall": 0.536311,
            "f1": 0.663568,
            "recallAtPrecision70": 0.823456,
            "recallAtPrecision80": 0.669032
          }
        }
      },
      {
        "day": 90,
        "pooled": {
          "learners": 14668,
          "positives": 6096,
          "baseRate": 0.415599,
          "rocAuc": 0.818515,
          "prAuc": 0.789166,
          "precision": 0.679142,
          "recall": 0.71145,
          "f1": 0.694921,
          "recallAtPrecision70": 0.6729,
          "recallAtPrecision80": 0.499836
        },
        "byGroup": {
          "AAA": {
            "learners": 693,
            "positives": 162,
            "baseRate": 0.233766,
            "rocAuc": 0.797313,
            "prAuc": 0.623313,
            "precision": 0.398754,
            "recall": 0.790123,
            "f1": 0.530021,
            "recallAtPrecision70": 0.376543,
            "recallAtPrecision80": 0.351852
          },
          "BBB": {
            "learners": 6089,
            "positives": 2335,
            "baseRate": 0.383478,
            "rocAuc": 0.817926,
            "prAuc": 0.780248,
            "precision": 0.622456,
            "recall": 0.759743,
            "f1": 0.684282,
            "recallAtPrecision70": 0.647966,
            "recallAtPrecision80": 0.519058
          },
          "CCC": {
            "learners": 3054,
            "positives": 1376,
            "baseRate": 0.450557,
            "rocAuc": 0.807375,
            "prAuc": 0.796331,
            "precision": 0.660691,
            "recall": 0.72311,
            "f1": 0.690493,
            "recallAtPrecision70": 0.594477,
            "recallAtPrecision80": 0.509448
          },
          "DDD": {
            "learners": 4832,
            "positives": 2223,
            "baseRate": 0.460058,
            "rocAuc": 0.865493,
            "prAuc": 0.862557,
            "precision": 0.842598,
            "recall": 0.647773,
            "f1": 0.732452,
            "recallAtPrecision70": 0.841655,
            "recallAtPrecision80": 0.735043
          }
        }
      }
    ]
  }
};
