/* clv-engine sector plugin ABI (plain C).
 *
 * A plugin is a shared library exporting exactly two symbols:
 *
 *   uint32_t clv_plugin_abi_version(void);
 *       returns CLV_PLUGIN_ABI_VERSION of the SDK it was built against.
 *   int32_t  clv_plugin_entry(const clv_host_api* host, clv_registrar* registrar);
 *       registers one sector descriptor with host->register_sector().
 *
 * Versioning: major changes break the ABI (the host refuses other majors);
 * minor versions only append fields to size-prefixed structs and functions to
 * the end of clv_host_api, so a plugin built for 1.0 loads in a 1.3 host. A
 * plugin built for a newer minor than the host is refused (it may use fields
 * the host does not fill). Nothing crossing this boundary is a C++ type.
 *
 * 1.1: status codes renamed clv_plugin_status / CLV_PLUGIN_* (same values;
 *      see CLV_PLUGIN_LEGACY_STATUS_NAMES below).
 * 1.2: clv_transaction_batch gains `location` and `reference_given` (appended;
 *      read them only when struct_size covers them, see clv_batch_has_location).
 */
#ifndef CLV_SDK_CLV_PLUGIN_H_
#define CLV_SDK_CLV_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CLV_PLUGIN_ABI_MAJOR 1
#define CLV_PLUGIN_ABI_MINOR 2
#define CLV_PLUGIN_ABI_PATCH 0
#define CLV_PLUGIN_PACK_VERSION(major, minor, patch) \
  ((uint32_t)(((uint32_t)(major) << 16) | ((uint32_t)(minor) << 8) | (uint32_t)(patch)))
#define CLV_PLUGIN_ABI_VERSION \
  CLV_PLUGIN_PACK_VERSION(CLV_PLUGIN_ABI_MAJOR, CLV_PLUGIN_ABI_MINOR, CLV_PLUGIN_ABI_PATCH)

#if defined(_WIN32)
#define CLV_PLUGIN_EXPORT __declspec(dllexport)
#else
#define CLV_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* Return codes of every plugin callback. On anything but CLV_PLUGIN_OK the
 * plugin must first call host->set_error(call, ...); a failure without a
 * message is reported by the host as a plugin bug. Named clv_plugin_* since
 * ABI 1.1 so that a program can include both this header and clv/c_api.h
 * (whose clv_status is the engine's); the values are unchanged. */
typedef enum clv_plugin_status {
  CLV_PLUGIN_OK = 0,
  CLV_PLUGIN_ERROR = 1,         /* generic failure, message says why */
  CLV_PLUGIN_INVALID_INPUT = 2, /* the batch contains values the plugin cannot accept */
  CLV_PLUGIN_UNSUPPORTED = 3    /* the plugin does not implement this request */
} clv_plugin_status;

/* The SDK 1.0 spellings, for plugin sources not yet renamed: define
 * CLV_PLUGIN_LEGACY_STATUS_NAMES before including this header. They clash
 * with clv/c_api.h, so such a file cannot include both. */
#if defined(CLV_PLUGIN_LEGACY_STATUS_NAMES)
typedef clv_plugin_status clv_status;
#define CLV_OK CLV_PLUGIN_OK
#define CLV_ERROR CLV_PLUGIN_ERROR
#define CLV_INVALID_INPUT CLV_PLUGIN_INVALID_INPUT
#define CLV_UNSUPPORTED CLV_PLUGIN_UNSUPPORTED
#endif

/* A non-owning string: pointer + length, not NUL-terminated. */
typedef struct clv_string_view {
  const char* data;
  size_t size;
} clv_string_view;

/* Opaque host objects. */
typedef struct clv_call clv_call;           /* one callback invocation; carries the error slot */
typedef struct clv_registrar clv_registrar; /* valid only during clv_plugin_entry */
typedef struct clv_sector_descriptor clv_sector_descriptor;

/* ---------------------------------------------------------------- records */

/* Kind of an imported transaction row (host-parsed from the "type" column). */
enum clv_transaction_kind {
  CLV_TXN_PURCHASE = 0,     /* a sale, booking, visit, claim or fee */
  CLV_TXN_RETURN = 1,       /* a return/refund/reversal; amount is positive money given back */
  CLV_TXN_CANCELLATION = 2, /* a cancelled order/booking/appointment; amount is any fee kept */
  CLV_TXN_CHARGE = 3        /* a line on an open folio/account (minibar, leg, line item) */
};

/* Output flags a plugin sets per row in clv_transaction_batch.flags. */
enum clv_transaction_flag {
  CLV_ROW_DROP = 1u << 0,      /* do not store as a purchase occasion (host counts it by reason) */
  CLV_ROW_NETTED = 1u << 1,    /* a return netted against its purchase */
  CLV_ROW_MERGED = 1u << 2,    /* merged into another row (merged_into says which) */
  CLV_ROW_CANCELLED = 1u << 3, /* a cancellation */
  CLV_ROW_FLAGGED = 1u << 4,   /* kept but needs a human look (e.g. a return with no purchase) */
  CLV_ROW_ADJUSTED = 1u << 5   /* amount changed by the plugin */
};

/* Canonical payer classes; sectors map their raw payer labels onto these. */
enum clv_payer_class {
  CLV_PAYER_UNKNOWN = 0,
  CLV_PAYER_SELF = 1,
  CLV_PAYER_EMPLOYER = 2,
  CLV_PAYER_INSURER = 3,
  CLV_PAYER_GOVERNMENT = 4,
  CLV_PAYER_AGENCY = 5,
  CLV_PAYER_OTHER = 6
};

/* A batch of transactions as struct-of-arrays, rows sorted by (customer, time).
 * The host never splits one customer across two batches, so a plugin can net
 * or merge within a batch. Columns marked "in/out" may be rewritten. */
typedef struct clv_transaction_batch {
  uint32_t struct_size; /* sizeof(clv_transaction_batch) of the host */
  uint32_t reserved;
  size_t count;
  const int64_t* customer;    /* dense customer index */
  const int64_t* timestamp;   /* UTC epoch seconds */
  const int32_t* kind;        /* enum clv_transaction_kind */
  const int64_t* reference;   /* order/folio/booking/claim id, or -1 if none */
  const int32_t* payer_class; /* enum clv_payer_class, already mapped by map_payer_types */
  double* amount;             /* in/out: money, positive */
  uint32_t* flags;            /* out: enum clv_transaction_flag bits, zeroed by the host */
  int64_t* merged_into;       /* out: row index a MERGED/NETTED row went into, -1 by default */
  /* Since ABI 1.2 (a host older than 1.2 passes a smaller struct_size): */
  const int64_t* location; /* site id (equal ids within one customer = same location), -1 if none */
  /* 1 when `reference` came from the data (a folio/order/booking id); 0 when
   * the row has none, or the host implied it from the transaction id (a
   * purchase's own id, "<id>-R" of a return), i.e. no folio groups the row. */
  const uint8_t* reference_given;
} clv_transaction_batch;

/* Nonzero when the batch carries the ABI 1.2 columns location and reference_given. */
#define clv_batch_has_location(b)                                                          \
  ((b)->struct_size >= offsetof(clv_transaction_batch, reference_given) + sizeof(void*) && \
   (b)->location != NULL && (b)->reference_given != NULL)

/* Behaviour profile of the employee who handled an incident, each in [0, 1]. */
typedef struct clv_employee_profile {
  double trust;
  double tact;
  double empathy;
  double conformity;
  double focus;
  double flexibility;
} clv_employee_profile;

/* Outcome of a service incident. */
enum clv_incident_outcome {
  CLV_OUTCOME_UNRESOLVED = 0,
  CLV_OUTCOME_RESOLVED = 1,
  CLV_OUTCOME_PARTIAL = 2,
  CLV_OUTCOME_ESCALATED = 3
};

/* A batch of service incidents as struct-of-arrays. */
typedef struct clv_incident_batch {
  uint32_t struct_size;
  uint32_t reserved;
  size_t count;
  const int64_t* customer;
  const int64_t* opened_at;   /* UTC epoch seconds */
  const int64_t* resolved_at; /* UTC epoch seconds, or -1 while open */
  const int32_t* severity;    /* 1 (cosmetic) .. 5 (critical) */
  const int32_t* category;    /* index into category_names */
  const int32_t* outcome;     /* enum clv_incident_outcome */
  const double* satisfaction; /* post-contact score in [0, 1]; NaN when not asked */
  const int64_t* employee;    /* index into employees, or -1 when unknown */
  const clv_string_view* category_names;
  size_t category_count;
  const clv_employee_profile* employees;
  size_t employee_count;
} clv_incident_batch;

/* Model families the engine fits. */
enum clv_model_kind {
  CLV_MODEL_PARETO_NBD = 0, /* non-contractual, continuous */
  CLV_MODEL_BG_NBD = 1,     /* non-contractual, continuous */
  CLV_MODEL_MBG_NBD = 2,    /* non-contractual, continuous */
  CLV_MODEL_BG_BB = 3,      /* non-contractual, discrete */
  CLV_MODEL_SBG = 4         /* contractual, discrete */
};

enum clv_time_unit_kind { CLV_UNIT_DAY = 0, CLV_UNIT_WEEK = 1, CLV_UNIT_MONTH = 2 };

/* Sector economics. The host sets struct_size before calling; the plugin
 * fills every field it knows. */
typedef struct clv_sector_economics {
  uint32_t struct_size;
  int32_t time_unit;     /* enum clv_time_unit_kind */
  int32_t default_model; /* enum clv_model_kind */
  int32_t contractual;   /* 1 if customers leave observably (subscriptions, accounts) */
  int32_t discrete;      /* 1 if purchases happen at fixed opportunities */
  int32_t reserved;
  double default_margin;       /* gross margin as a fraction of revenue, (0, 1] */
  double cost_to_serve;        /* money per customer per time unit */
  double annual_discount_rate; /* e.g. 0.10 */
  double referral_value;       /* money brought by referrals of a satisfied customer */
} clv_sector_economics;

/* ------------------------------------------------------------- host table */

/* Functions the host offers. Append-only: new functions go at the end and
 * a plugin checks struct_size before using one added after 1.0. */
typedef struct clv_host_api {
  uint32_t struct_size;
  uint32_t abi_version; /* the host's CLV_PLUGIN_ABI_VERSION */
  /* Keeps a failure message for this call; the host copies it. */
  void (*set_error)(clv_call* call, const char* message, size_t size);
  /* Registers the plugin's sector; call once from clv_plugin_entry. */
  int32_t (*register_sector)(clv_registrar* registrar, const clv_sector_descriptor* d);
  /* Informational log line (level 0 debug .. 3 error). */
  void (*log)(int32_t level, const char* message, size_t size);
} clv_host_api;

/* ------------------------------------------------------------ descriptor */

/* Largest descriptor the host accepts; anything bigger is a corrupt or
 * wildly newer plugin. */
#define CLV_SECTOR_DESCRIPTOR_MAX_SIZE 4096u

/* Everything the host needs to drive a sector. Size-prefixed: the host copies
 * min(struct_size, its own size) bytes and treats missing trailing fields as
 * absent. Strings must stay valid while the library is loaded. */
struct clv_sector_descriptor {
  uint32_t struct_size; /* sizeof(clv_sector_descriptor) of the SDK used */
  uint32_t reserved;
  const char* id; /* sector id, e.g. "hospitality"; must match manifest.json */
  const char* display_name;
  const char* version; /* the plugin's own version, e.g. "1.2.0" */

  /* Instance lifecycle; config is JSON text (may be empty). */
  void* (*create)(clv_call* call, const char* config_json, size_t config_size);
  void (*destroy)(void* instance);

  /* Hook 1: normalize records at import. */
  int32_t (*map_payer_types)(void* instance, clv_call* call, const clv_string_view* labels,
                             size_t count, int32_t* out_payer_class);
  int32_t (*normalize_transactions)(void* instance, clv_call* call, clv_transaction_batch* batch);

  /* Hook 2: incidents -> churn covariates. covariate_names writes a JSON
   * array of names; incident_covariates writes count x covariate_count
   * doubles row-major into out (finite values only). */
  int32_t (*covariate_names)(void* instance, clv_call* call, clv_string_view* out_json);
  int32_t (*incident_covariates)(void* instance, clv_call* call, const clv_incident_batch* batch,
                                 double* out, size_t covariate_count);

  /* Hook 3: sector economics. */
  int32_t (*economics)(void* instance, clv_call* call, clv_sector_economics* out);

  /* Hook 4: what-if levers as a JSON array (schema in sdk/README.md). The
   * text must stay valid until destroy(). */
  int32_t (*levers)(void* instance, clv_call* call, clv_string_view* out_json);
};

/* The two exported symbols. */
typedef uint32_t (*clv_plugin_abi_version_fn)(void);
typedef int32_t (*clv_plugin_entry_fn)(const clv_host_api* host, clv_registrar* registrar);

#define CLV_PLUGIN_ABI_VERSION_SYMBOL "clv_plugin_abi_version"
#define CLV_PLUGIN_ENTRY_SYMBOL "clv_plugin_entry"

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CLV_SDK_CLV_PLUGIN_H_ */
