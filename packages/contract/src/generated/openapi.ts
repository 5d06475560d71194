/**
 * Generated from openapi/bridge.v1.yaml by `pnpm generate` (packages/contract/scripts/generate.ts).
 * Do not edit: change the contract and regenerate.
 */

export interface paths {
    "/v1/referrals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List referrals
         * @description Lists inbound and outbound referrals, newest first, with cursor pagination. Requires a bearer token
         *     with the `referrals:read` scope.
         */
        get: operations["listReferrals"];
        put?: never;
        /**
         * Create an outbound referral
         * @description Creates a referral to an active peer node and queues the `referral.request` message in the outbox,
         *     in the same transaction. Only the risk block and the fields allowed by the disclosure profiles of
         *     the requested services, within the consent scope, leave the node; the person is identified to the
         *     peer by a pairwise pseudonym. Requires a bearer token with the `referrals:write` scope.
         *
         *     Safe to retry with an `Idempotency-Key`: a replay returns the stored response and creates nothing.
         */
        post: operations["createReferral"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/referrals/{referralId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a referral
         * @description Returns one referral with its full status history. Reading personal data is recorded in the audit
         *     log. Requires a bearer token with the `referrals:read` scope.
         */
        get: operations["getReferral"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/referrals/{referralId}/withdraw": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Withdraw an outbound referral
         * @description The sender cancels a referral that is not final: its status becomes `cancelled`, and the peer is told
         *     by a signed `referral.withdraw` message queued in the outbox in the same transaction. Only the sender
         *     can withdraw: an inbound referral, or one that is already final (rejected, completed, failed,
         *     cancelled or entered in error), cannot be withdrawn (`illegal_transition`). Requires a bearer token
         *     with the `referrals:write` scope.
         *
         *     Safe to retry with an `Idempotency-Key`: a replay returns the stored response and sends nothing twice.
         */
        post: operations["withdrawReferral"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read the event feed
         * @description The changes to this node's referrals, oldest first, as a cursor feed: pass the `nextCursor` of one
         *     page as `after` of the next call, and keep it (store it with the work it triggered) to resume after a
         *     restart. Without `after` the feed starts at its beginning. An empty page answers the same cursor:
         *     poll again later, or subscribe to webhooks to be told. Requires a bearer token with the
         *     `referrals:read` scope.
         *
         *     Events are written in the same transaction as the change they describe, and the feed never skips
         *     one: feed positions are given to events after they commit, so an event whose transaction commits
         *     late is placed after every cursor already handed out, never behind one.
         *     An event carries ids, codes and times only, never personal data: GET the referral for its content.
         *     Clients must ignore event types they do not know (new ones may be added).
         */
        get: operations["listEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List webhook subscriptions
         * @description The subscriptions that are not deleted, oldest first. Secrets are never returned. Requires a bearer
         *     token with the `admin` scope.
         */
        get: operations["listWebhookSubscriptions"];
        put?: never;
        /**
         * Subscribe a URL to events
         * @description From now on, every event of the given types (all types when `eventTypes` is absent) is POSTed to `url`,
         *     signed with a secret the node generates. The secret is in this response only: the node stores it
         *     sealed, never logs it and never returns it again. If the response is lost, list the subscriptions,
         *     delete the one with this URL and create another (this operation takes no `Idempotency-Key`, so that no
         *     copy of the secret is kept for replays). Requires a bearer token with the `admin` scope: a subscription
         *     makes the node send requests to a URL of the caller's choosing, which the operator authorises.
         *
         *     Each delivery is `POST url` with the event (the same object as in the feed) as its JSON body and the
         *     Standard Webhooks headers `webhook-id` (the event id, the same on every retry), `webhook-timestamp`
         *     (Unix seconds of this attempt) and `webhook-signature: v1,<base64 HMAC-SHA256 of
         *     "<webhook-id>.<webhook-timestamp>.<body>" under the secret's bytes>`. Any 2xx answer within the
         *     timeout acknowledges it; anything else is retried with capped exponential backoff and jitter until
         *     the delivery deadline, then given up (`dead`, visible to operators, who can resend it). A `410 Gone`
         *     answer is taken as final: that delivery is dead at once and the subscription is disabled, recorded
         *     in the audit log as `webhook.disabled`. Deliveries can arrive more than once and out of order:
         *     deduplicate on `webhook-id`, and read the feed for order.
         *
         *     The URL must be `https` and its host must resolve only to public addresses: a target on a loopback,
         *     link-local (such as the cloud metadata address 169.254.169.254), private, shared (100.64.0.0/10),
         *     unique-local, multicast, unspecified or reserved address is refused with `webhook_target_forbidden`.
         *     The address is checked again at every connection, on the address connected to, so a name that
         *     later resolves inward is refused too (the delivery fails with `target_forbidden`). An operator can
         *     allow plain http and local targets with the node setting `BRIDGE_WEBHOOK_ALLOW_LOCAL=true`, meant
         *     for local receivers in a demo or a test.
         */
        post: operations["createWebhookSubscription"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{subscriptionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete a webhook subscription
         * @description Stops the subscription: no new deliveries are queued for it, and those still waiting are given up
         *     (`dead`, with `lastError` `subscription_deleted`). Requires a bearer token with the `admin` scope.
         */
        delete: operations["deleteWebhookSubscription"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/referrals/{referralId}/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Accept an inbound referral
         * @description Sets the referral's status to `accepted` and tells the peer by a signed `referral.status` message
         *     queued in the outbox in the same transaction. Only the receiver may set `accepted`, and only from received; anything else is refused with `illegal_transition`, as the peer also refuses such a
         *     message. The note crosses to the peer only if the person's consent covers case notes and still holds; once the
         *     person's data was erased, a note is refused (`consent_not_valid`) and the change can be made without one.
         *     Requires a bearer token with the `referrals:write` scope.
         *
         *     Safe to retry with an `Idempotency-Key`: a replay returns the stored response and sends nothing twice.
         */
        post: operations["acceptReferral"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/referrals/{referralId}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reject an inbound referral
         * @description Sets the referral's status to `rejected` and tells the peer by a signed `referral.status` message
         *     queued in the outbox in the same transaction. Only the receiver may set `rejected`, and only from received; anything else is refused with `illegal_transition`, as the peer also refuses such a
         *     message. The note crosses to the peer only if the person's consent covers case notes and still holds; once the
         *     person's data was erased, a note is refused (`consent_not_valid`) and the change can be made without one.
         *     The rejection reason is a code from the `rejectionReasons` code list (`GET /v1/code-lists`).
         *     Requires a bearer token with the `referrals:write` scope.
         *
         *     Safe to retry with an `Idempotency-Key`: a replay returns the stored response and sends nothing twice.
         */
        post: operations["rejectReferral"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/referrals/{referralId}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start work on an inbound referral
         * @description Sets the referral's status to `in-progress` and tells the peer by a signed `referral.status` message
         *     queued in the outbox in the same transaction. Only the receiver may set `in-progress`, and only from accepted, in-progress or on-hold; anything else is refused with `illegal_transition`, as the peer also refuses such a
         *     message. The note crosses to the peer only if the person's consent covers case notes and still holds; once the
         *     person's data was erased, a note is refused (`consent_not_valid`) and the change can be made without one.
         *     Requires a bearer token with the `referrals:write` scope.
         *
         *     Safe to retry with an `Idempotency-Key`: a replay returns the stored response and sends nothing twice.
         */
        post: operations["startReferral"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/referrals/{referralId}/hold": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Put an inbound referral on hold
         * @description Sets the referral's status to `on-hold` and tells the peer by a signed `referral.status` message
         *     queued in the outbox in the same transaction. Only the receiver may set `on-hold`, and only from accepted, in-progress or on-hold; anything else is refused with `illegal_transition`, as the peer also refuses such a
         *     message. The note crosses to the peer only if the person's consent covers case notes and still holds; once the
         *     person's data was erased, a note is refused (`consent_not_valid`) and the change can be made without one.
         *     Requires a bearer token with the `referrals:write` scope.
         *
         *     Safe to retry with an `Idempotency-Key`: a replay returns the stored response and sends nothing twice.
         */
        post: operations["holdReferral"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/referrals/{referralId}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Complete an inbound referral
         * @description Sets the referral's status to `completed` and tells the peer by a signed `referral.status` message
         *     queued in the outbox in the same transaction. Only the receiver may set `completed`, and only from in-progress or on-hold; anything else is refused with `illegal_transition`, as the peer also refuses such a
         *     message. The note crosses to the peer only if the person's consent covers case notes and still holds; once the
         *     person's data was erased, a note is refused (`consent_not_valid`) and the change can be made without one.
         *     The outcome is a code from the `outcomes` code list (`GET /v1/code-lists`).
         *     Requires a bearer token with the `referrals:write` scope.
         *
         *     Safe to retry with an `Idempotency-Key`: a replay returns the stored response and sends nothing twice.
         */
        post: operations["completeReferral"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/referrals/{referralId}/fail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Record that an inbound referral failed
         * @description Sets the referral's status to `failed` and tells the peer by a signed `referral.status` message
         *     queued in the outbox in the same transaction. Only the receiver may set `failed`, and only from in-progress or on-hold; anything else is refused with `illegal_transition`, as the peer also refuses such a
         *     message. The note crosses to the peer only if the person's consent covers case notes and still holds; once the
         *     person's data was erased, a note is refused (`consent_not_valid`) and the change can be made without one.
         *     Requires a bearer token with the `referrals:write` scope.
         *
         *     Safe to retry with an `Idempotency-Key`: a replay returns the stored response and sends nothing twice.
         */
        post: operations["failReferral"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/referrals/{referralId}/entered-in-error": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Mark an outbound referral as entered in error
         * @description Sets the referral's status to `entered-in-error` and tells the peer by a signed `referral.status` message
         *     queued in the outbox in the same transaction. Only the sender may set `entered-in-error`, and only from any status but `entered-in-error`; anything else is refused with `illegal_transition`, as the peer also refuses such a
         *     message. The note crosses to the peer only if the person's consent covers case notes and still holds; once the
         *     person's data was erased, a note is refused (`consent_not_valid`) and the change can be made without one.
         *     Requires a bearer token with the `referrals:write` scope.
         *
         *     Safe to retry with an `Idempotency-Key`: a replay returns the stored response and sends nothing twice.
         */
        post: operations["markReferralEnteredInError"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/code-lists": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get the code lists with their labels
         * @description Every code list of the contract (services, person categories, phases, urgencies, rejection reasons,
         *     outcomes, risk threats, risk levels and data categories), each code with its label in English,
         *     Serbian Latin, Serbian Cyrillic and Albanian. The codes are exactly the enums of this document.
         *     Requires a bearer token with the `referrals:read` scope.
         */
        get: operations["getCodeLists"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/referrals/{referralId}/disclose": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Release further fields of an outbound referral
         * @description After the receiver accepted (status `accepted`, `in-progress` or `on-hold`), the sender releases further
         *     fields of the person's record, named in `fields`, with a signed `referral.disclose` message queued in the
         *     outbox in the same transaction. Each field must be allowed by the disclosure profiles of the referral's
         *     services (their `onRequest` or `afterAcceptance` lists) and by the consent's data categories
         *     (`disclosure_not_allowed`), and present in the record; the consent must be neither revoked nor expired
         *     (`consent_not_valid`). Before acceptance the answer is `referral_not_accepted`. The receiver applies the
         *     same rule and merges the fields into its copy. Requires the `referrals:write` scope.
         */
        post: operations["discloseReferral"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/referrals/{referralId}/consent/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Record that the person revoked her consent
         * @description The sending organisation records that the person withdrew her consent. The referral's `consentRevokedAt`
         *     is set, no further field can be disclosed, and a signed `consent.revoke` message is queued in the same
         *     transaction. The receiver then erases the person's data (fields, notes, free text of info messages and
         *     the pseudonym; ids, codes, statuses and the audit log stay) and answers `erasure.confirm`, which sets
         *     `erasureConfirmedAt` here. Only the sender can revoke (`illegal_transition` on an inbound referral); a
         *     second revocation answers `consent_not_valid`. Requires the `referrals:write` scope.
         */
        post: operations["revokeConsent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/referrals/{referralId}/info-requests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the questions about a referral
         * @description The questions either node asked about this referral, oldest first, each with its answer once it arrived.
         *     Question and answer texts are personal data: they are absent once erased. Requires the `referrals:read` scope.
         */
        get: operations["listInfoRequests"];
        put?: never;
        /**
         * Ask the peer a question about a referral
         * @description Either node may ask the other a question about a shared referral; it travels in a signed
         *     `referral.info-request` message queued in the same transaction, and the answer comes back in a
         *     `referral.info-response`. The text is free text about the person: when the referral's sender asks, the
         *     profiles and consent must allow case notes (`disclosure_not_allowed`); after revocation or expiry of the
         *     consent nothing more can be asked (`consent_not_valid`). The text never appears in logs or the audit log.
         *     Requires the `referrals:write` scope.
         */
        post: operations["createInfoRequest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/referrals/{referralId}/info-requests/{questionId}/answer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Answer the peer's question
         * @description Answers a question the peer asked about this referral, with a signed `referral.info-response` message
         *     queued in the same transaction. Only a question from the peer can be answered, once
         *     (`illegal_transition`). The same text rules as for questions apply. Requires the `referrals:write` scope.
         */
        post: operations["answerInfoRequest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/disclosure-profiles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get the disclosure profiles
         * @description The disclosure profiles of the contract this node implements (the `x-bridge-disclosure-profiles`
         *     extension of this document): for each service code, the person fields it needs with the referral
         *     (`onRequest`) and those released only after acceptance with `referral.disclose` (`afterAcceptance`).
         *     What leaves the node is the risk block plus the union of the profiles of the requested services,
         *     intersected with the fields of the consent's data categories (`IDENTITY`: givenName, familyName;
         *     `AGE`: ageBand, birthDate; `GENDER`: gender; `LANGUAGE`: languages; `FAMILY`: accompanyingChildren;
         *     `HEALTH`: urgentHealthNeeds; `NATIONALITY`: nationality; `DOCUMENTS`: documentNumber; `CASE_NOTES`:
         *     note and the free text of info requests and answers). Requires the `referrals:read` scope.
         */
        get: operations["getDisclosureProfiles"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/federation/v1/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Deliver a message from a peer node
         * @description Delivers one node-to-node message. There are no HTTP credentials: the message authenticates itself.
         *     Over TLS the connection also presents a client certificate pinned for the sending peer, and the
         *     message's `iss` must be that peer: no peer presents what another signed.
         *
         *     The body is a compact JWE (`alg` `ECDH-ES+A256KW`, `enc` `A256GCM`, encrypted to the receiver's
         *     current X25519 encryption key, no `zip`) wrapping a compact JWS (`alg` `EdDSA`, `typ`
         *     `bridge-msg+jwt`, signed with the sender's Ed25519 signing key) whose payload is `MessageClaims`.
         *     Sign first, then encrypt. `jku`, `x5u` and any other key-locating header are refused.
         *
         *     Size, `zip` and algorithm checks happen before decryption and verification. Then the receiver
         *     decrypts, verifies the signature against the keys pinned for the sending peer, and checks `aud`,
         *     `iss`, the `iat` acceptance window, replay (`iss`, `jti`), ordering (`seq`, `prev`) and the body
         *     schema and disclosure rules. Nothing is stored from a rejected message.
         *
         *     The answer is a signed receipt proving delivery (not acceptance). Delivering the same message again
         *     returns the original receipt and delivers nothing twice.
         *
         *     Two budgets answer 429 `rate_limited` with `Retry-After`: one per remote address, before the body is
         *     read, and one per authenticated peer, once the message has verified. Nothing is stored from a
         *     message turned away; the sender keeps it in its outbox and delivers it later.
         */
        post: operations["receiveMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/bridge.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get node metadata
         * @description Public metadata of this node, fetched by a peer's operator during onboarding (`bridge peers add`). Unauthenticated; the keys it points to are confirmed out of band by fingerprint.
         */
        get: operations["getNodeMetadata"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get the node's public keys
         * @description The node's public signing, encryption and log keys, each with its validity window. Rotation publishes
         *     the next key before use and keeps retired keys so old evidence still verifies. Private members are
         *     never present. Peers fetch this only from the URL pinned at onboarding, never from a URL found in a
         *     message.
         */
        get: operations["getJwks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/outbox": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List outbox messages
         * @description Lists the messages of the outbox, newest first, with cursor pagination, so an operator can see what
         *     is waiting, retrying or dead. Message bodies are never returned. Requires a bearer token with the
         *     `admin` scope.
         */
        get: operations["listOutboxMessages"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/outbox/{messageId}/resend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resend a dead outbox message
         * @description Puts a `dead` message back in the queue for delivery, due at once and with a new delivery deadline.
         *     The signed message itself is not changed (same id, `seq` and body), so the peer still recognises a
         *     duplicate. Only a dead message can be resent. Requires a bearer token with the `admin` scope.
         */
        post: operations["resendOutboxMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/outbox/{messageId}/discard": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Discard a dead outbox message
         * @description Gives up a `dead` message for good, so that the later messages of its referral, which wait for it,
         *     are delivered. The message becomes `discarded` and its body is dropped. The later messages of the
         *     referral, none of which has left yet, are renumbered to close the gap (each takes the `seq` of the
         *     one before it and chains `prev` from the message before the discarded one), so the peer, which
         *     applies a referral's messages only in order, takes them as they are; their digests are recomputed
         *     and each renumbering is recorded in the audit log.
         *
         *     Discard only what the peer never applied: a message it refused (see `referral.message_refused`)
         *     or one addressed to a peer that is gone. A message that died of timeouts may have been applied
         *     by the peer with its receipt lost: resend it instead, and the peer answers with its receipt.
         *
         *     The reason is a code (never free text), recorded with the message's last error in the audit
         *     event `message.discarded`. Only a dead message can be discarded. Requires a bearer token with
         *     the `admin` scope.
         */
        post: operations["discardOutboxMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/audit/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search the audit log
         * @description Searches this node's audit log, newest first, with cursor pagination. Filters combine with AND.
         *     Events hold ids, types, actors, peers, digests and codes, never personal data. `idx` is the event
         *     id (the `logIndex` a receipt names); `leafIndex` is the event's position in the Merkle tree, or
         *     null while it is not yet sequenced. Requires a bearer token with the `audit:read` scope.
         */
        get: operations["searchAuditEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/audit/events/{eventId}/proof": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get an inclusion proof for an audit event
         * @description Sequences and checkpoints the log if needed, then returns the event, its leaf index, the latest
         *     signed checkpoint and the RFC 9162 inclusion proof of the event's leaf in it. The leaf is the
         *     SHA-256 of `0x00` followed by the RFC 8785 canonical JSON of the event. Requires `audit:read`.
         */
        get: operations["getAuditEventProof"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/audit/consistency": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a consistency proof between two checkpoints
         * @description Returns the two signed checkpoints of these tree sizes and the RFC 9162 consistency proof that the
         *     larger tree extends the smaller one. Requires `audit:read`.
         */
        get: operations["getAuditConsistencyProof"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/audit/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Export the audit log with its checkpoint and proofs
         * @description Exports the sequenced events matching the filters (all of them without filters), oldest first, as
         *     NDJSON or CSV, for `bridge audit verify`, which checks it offline. The export starts with the latest
         *     signed checkpoint (and this node's public log keys), then every co-signature peers made of this
         *     node's checkpoints with a consistency proof to it, then one record per event with its leaf index and
         *     inclusion proof. In CSV, the `record` column says which: checkpoint and co-signature records carry
         *     their JSON in the `detail` column. Requires `audit:read`.
         */
        get: operations["exportAuditLog"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Verify the whole audit log
         * @description Sequences and checkpoints the log, then checks all of it as `bridge audit verify` checks an export:
         *     every event against its leaf hash and inclusion proof, the tree against every signed checkpoint,
         *     and every co-signature against the latest checkpoint. The answer names the first bad entry.
         *     Requires `audit:read`.
         */
        post: operations["verifyAuditLog"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/audit/witness": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cross-witness checkpoints with every active peer now
         * @description Runs one round of cross-witnessing at once (it also runs periodically): this node checkpoints its own
         *     log, then for every active peer fetches its latest checkpoint with a consistency proof from the last
         *     one this node co-signed, co-signs it if the proof verifies and returns the co-signature to the peer.
         *     A peer whose log is not consistent is not co-signed and is recorded as an alert. Requires the `admin`
         *     scope.
         */
        post: operations["witnessAuditCheckpoints"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/federation/v1/audit/checkpoint": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ask a peer for its latest checkpoint, to witness it
         * @description A witness asks for this node's latest signed checkpoint and a consistency proof from the tree size it
         *     last co-signed. The body is a compact JWS (`typ` `bridge-witness-request+jwt`, EdDSA) signed with the
         *     witness's log key as pinned at onboarding, with claims `iss` (witness), `aud` (this node), `iat`,
         *     `jti` and `fromSize`; only active peers are answered. Each request is answered once: a `jti` already
         *     seen from this witness is refused until the request would be too old anyway. The answer is self-authenticating: the checkpoint
         *     is signed with this node's log key and the proof is checked against the witness's own record.
         */
        post: operations["requestAuditCheckpoint"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/federation/v1/audit/cosignatures": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Hand a co-signature of this node's checkpoint to it
         * @description A witness returns its co-signature of one of this node's checkpoints: a compact JWS (`typ`
         *     `bridge-cosignature+jwt`, EdDSA, the witness's log key pinned at onboarding) with claims `iss`
         *     (witness), `sub` (this node), `iat`, `treeSize` and `rootHash`. It is stored only when it names a
         *     checkpoint this node signed, with the same root.
         */
        post: operations["submitAuditCosignature"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/webhook-deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List webhook deliveries
         * @description Lists the deliveries of events to webhook subscriptions, newest first, with cursor pagination, so an
         *     operator can see what is waiting, retrying or dead. They go through the same delivery mechanism as
         *     the outbox (leases, capped backoff with jitter, deadline). Requires a bearer token with the `admin` scope.
         */
        get: operations["listWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/webhook-deliveries/{deliveryId}/resend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resend a dead webhook delivery
         * @description Puts a `dead` webhook delivery back in the queue, due at once and with a new delivery deadline, as
         *     `resendOutboxMessage` does for a message to a peer. The event is the same (same `webhook-id` and
         *     body); each attempt is signed afresh. Only a dead delivery of a subscription that still exists
         *     (not deleted, nor disabled by a `410 Gone`) can be resent. Recorded in the audit log as
         *     `webhook.resent`. Requires a bearer token with the `admin` scope.
         */
        post: operations["resendWebhookDelivery"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness probe
         * @description Answers `ok` while the process is running. Unauthenticated and never touches the database. On the federation listener, for a load balancer in front of peers.
         */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness probe
         * @description Reports whether the node can serve traffic (database reachable, migrations applied, keys loaded). Unauthenticated; on the private listener.
         */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The contract document
         * @description Returns this OpenAPI document as JSON, exactly as the node implements it, with the node's own public
         *     base URL as the first entry of `servers`. Unauthenticated: the contract holds no secrets.
         */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The contract as a readable page
         * @description Returns this OpenAPI document rendered as a self-contained HTML page (operations with their
         *     parameters, bodies, responses and examples, then the schemas). The page loads nothing else, so it
         *     works offline. Unauthenticated.
         */
        get: operations["getApiDocs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics
         * @description Returns this node's metrics in the Prometheus text exposition format 0.0.4: deliveries, delivery
         *     attempts and their duration, dead letters, received and refused messages, HTTP request durations,
         *     outbox messages by status, and the process metrics. Label values come only from fixed sets (peer
         *     node ids, message types, problem codes, outcomes, listeners, route patterns, status classes):
         *     never a name, a note or a referral or message id.
         *
         *     Unauthenticated, so a scraper needs no token. Served on the private listener only, which stays
         *     on the operator's own network: the numbers say how busy the node and its peers are.
         */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * How people can sign in to this node
         * @description The sign-in methods this node offers, for the console's sign-in page. Public: it reveals nothing about
         *     any account.
         */
        get: operations["getSignInOptions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The signed-in person and their session
         * @description Who is signed in with the session cookie, their roles and the scopes those give, their factors, the
         *     session's timeouts and its CSRF token. The console calls this when it starts: the `csrfToken` goes in the
         *     `X-CSRF-Token` header of every state-changing request made with this session. Reading the session counts
         *     as activity (it extends the idle timeout).
         */
        get: operations["getSession"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/sign-in/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign in with a password and a one-time code
         * @description For case workers and supervisors who enrolled a password with TOTP instead of a passkey. The password and
         *     the one-time code (a 6-digit TOTP code, or one of the recovery codes) are sent together, so there is no
         *     half-signed-in state. On success the response sets a new session cookie (`__Host-bridge_session`) and
         *     returns the session with its CSRF token.
         *
         *     Every failure - unknown user, wrong password, wrong or reused code, disabled or locked account - gives the
         *     same 401 `sign_in_failed` with the same body, in about the same time. Failures are throttled per account and
         *     per client address (progressively, shared by all replicas); a throttled attempt gets 429 `rate_limited`
         *     with `Retry-After`, whether or not the account exists.
         */
        post: operations["signInWithPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/sign-in/passkey/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start signing in with a passkey
         * @description A WebAuthn challenge for `navigator.credentials.get()` (discoverable credentials, user verification
         *     required), valid for 5 minutes and usable once. Pass `publicKey` to the browser (for example with
         *     `PublicKeyCredential.parseRequestOptionsFromJSON`) and send the result to `signInWithPasskey` with the
         *     `challengeId`.
         */
        post: operations["startPasskeySignIn"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/sign-in/passkey": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign in with a passkey
         * @description Verifies the assertion the browser returned for the challenge (origin, RP ID, user verification, signature
         *     and counter). On success sets a new session cookie and returns the session. Every failure is the same 401
         *     `sign_in_failed`; failures are throttled like passwords.
         */
        post: operations["signInWithPasskey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/sign-in/oidc/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start signing in with the organisation's identity provider
         * @description When the node is configured with an OpenID provider (`BRIDGE_OIDC_ISSUER`), returns the provider's
         *     authorization URL (authorization code flow with PKCE, `state` and `nonce`) and sets a short-lived
         *     `__Host-bridge_oidc` cookie binding this browser to the attempt; the state, nonce and PKCE verifier stay on
         *     the node. The attempt lasts 10 minutes and can be completed once. Without a configured provider: 404
         *     `oidc_not_configured`.
         */
        post: operations["startOidcSignIn"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/sign-in/oidc": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Complete signing in with the organisation's identity provider
         * @description The console's callback page posts the `code`, `state` and `iss` the provider returned. The node checks the
         *     attempt's cookie and state (each attempt is used once), exchanges the code with the PKCE verifier, and
         *     checks the ID token (exact issuer, audience, nonce, signature). The person is the account linked to the
         *     token's issuer and subject; nobody is created automatically and roles stay those set on this node.
         *
         *     When the token's `amr` contains `mfa` (RFC 8176: the provider combined factors), the session is issued at
         *     once; a single method such as `otp`, `sms`, `hwk`, `swk` or `pop` alone does not count. Otherwise the answer is 401 `local_factor_required` and the
         *     person completes the sign-in with a one-time code of their own (`completeOidcSignInWithCode`) within the
         *     attempt's lifetime. Operators and auditors (passkey only) cannot sign in this way. Both steps are
         *     throttled like a password sign-in. Every other failure gives the same 401 `sign_in_failed`.
         */
        post: operations["completeOidcSignIn"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/sign-in/oidc/code": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Complete an identity-provider sign-in with a local one-time code
         * @description After 401 `local_factor_required`: the person's TOTP code (or a recovery code), sent with the same
         *     `__Host-bridge_oidc` cookie. Every failure gives 401 `sign_in_failed` and ends the attempt.
         */
        post: operations["completeOidcSignInWithCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{userId}/oidc": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Link an account to an identity at the organisation's identity provider
         * @description The account signs in with the provider as the identity with this issuer and subject (the ID token's `iss`
         *     and `sub`, compared exactly). One identity belongs to one account at most (409 `conflict`). Nobody links
         *     their own account (403 `own_account`); operators and auditors sign in with a passkey only and cannot be
         *     linked (422 `passkey_required`). The person's sessions end (audited `session.revoked`). Requires the
         *     `admin` scope and a step-up within the last 5 minutes.
         */
        put: operations["linkUserOidc"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/sign-out": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign out
         * @description Ends this session on the server (the row is deleted, so the cookie no longer works anywhere) and clears the
         *     cookie. Needs the session's CSRF token in `X-CSRF-Token`.
         */
        post: operations["signOut"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/step-up/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Confirm it is still you, with password and code
         * @description A fresh factor for sensitive operations (users and roles, webhooks, exports, factor changes): after it, the
         *     session may perform them for 5 minutes. The session is rotated: the response sets a new cookie, the old one
         *     stops working, and the CSRF token changes. A step-up in one session never unlocks another. Failures count
         *     towards the account's throttling like sign-in failures.
         */
        post: operations["stepUpWithPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/step-up/passkey/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a step-up with a passkey
         * @description A WebAuthn challenge limited to the signed-in person's own passkeys, for `stepUpWithPasskey`.
         */
        post: operations["startPasskeyStepUp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/step-up/passkey": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Confirm it is still you, with a passkey
         * @description Verifies the assertion (it must be one of this person's passkeys, with user verification). Then as
         *     `stepUpWithPassword`: 5 minutes of step-up for this session, which is rotated.
         */
        post: operations["stepUpWithPasskey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * My sessions
         * @description The signed-in person's sessions that have not ended, newest first, with the current one marked. Never a
         *     token, an address or a browser string.
         */
        get: operations["listMySessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/sessions/{sessionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * End one of my sessions
         * @description Ends one of the signed-in person's sessions (for example one left open on another computer); ending the
         *     current one signs out. Another person's session id is 404.
         */
        delete: operations["endMySession"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/preferences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Change my console preferences
         * @description The console language and script of the signed-in person (`en`, `sr-Latn`, `sr-Cyrl` or `sq`; never a bare
         *     `sr`). Returns the session as `getSession` does.
         */
        put: operations["updatePreferences"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/recovery-codes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * New recovery codes
         * @description Ten new single-use recovery codes, shown this once; the old ones stop working. Needs a step-up within the
         *     last 5 minutes.
         */
        post: operations["regenerateRecoveryCodes"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Change my password
         * @description Sets a new password (15 to 256 characters, not a common or breached password, no other rules). Needs a
         *     step-up within the last 5 minutes. Every other session of the person ends and this one is rotated.
         */
        put: operations["changePassword"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/passkeys/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start adding a passkey
         * @description WebAuthn creation options (`navigator.credentials.create()`, resident key and user verification required,
         *     attestation `none`, the person's existing passkeys excluded) for `addPasskey`. Needs a step-up within the
         *     last 5 minutes.
         */
        post: operations["startPasskeyRegistration"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/passkeys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Add a passkey
         * @description Verifies the new credential for the challenge of `startPasskeyRegistration` and adds it to the person's
         *     factors. Needs a step-up within the last 5 minutes.
         */
        post: operations["addPasskey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/passkeys/{passkeyId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove a passkey
         * @description Removes one of the person's passkeys. Needs a step-up within the last 5 minutes. Refused (409
         *     `last_factor`) when it would leave the person without a way to sign in, or an operator or auditor without
         *     a passkey. The person's other sessions end.
         */
        delete: operations["deletePasskey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/enrolment": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Open an enrolment link
         * @description An enrolment link (`<console>/enrol#<token>`, printed by `bridge users create` or given by an operator)
         *     carries its token in the URL fragment, which browsers never send; the console posts it here. Answers who
         *     the link is for and which factors they may enrol. Does not use the link up: only a completed enrolment
         *     does. An unknown, used or expired link (links last 1 hour) is 410 `enrolment_invalid`.
         */
        post: operations["getEnrolment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/enrolment/passkey/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start enrolling a passkey
         * @description WebAuthn creation options for the person of the enrolment link (resident key and user verification
         *     required, attestation `none`), for `enrolPasskey`.
         */
        post: operations["startPasskeyEnrolment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/enrolment/passkey": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Enrol with a passkey
         * @description Completes the enrolment: verifies the new credential, uses the link up, signs the person in (new session
         *     cookie) and returns ten recovery codes, shown this once.
         */
        post: operations["enrolPasskey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/enrolment/totp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start enrolling a password with TOTP
         * @description For case workers and supervisors without a passkey-capable device. Gives a new TOTP secret (RFC 6238,
         *     SHA-1, 6 digits, 30 s) for the person's authenticator app, as base32 and as an `otpauth://` URI for a QR
         *     code; calling it again replaces the secret. Operators and auditors get 422 `passkey_required`.
         */
        post: operations["startTotpEnrolment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/enrolment/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Enrol with a password and TOTP
         * @description Completes the enrolment with a password (15 to 256 characters, not common or breached, no other rules) and
         *     a current code from the TOTP secret of `startTotpEnrolment`, which proves the app is set up. Uses the link
         *     up, signs the person in and returns ten recovery codes, shown this once.
         */
        post: operations["enrolPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the people with accounts
         * @description Every account of this node, by username. Requires a session with the `admin` scope (the operator role);
         *     people's accounts are managed by people, not by client tokens.
         */
        get: operations["listUsers"];
        put?: never;
        /**
         * Create an account
         * @description Creates an account with its roles and returns a one-time enrolment link (valid 1 hour, single use; only its
         *     hash is stored) for the person to set up their factors. Never a password. Roles: `case_worker` and
         *     `supervisor` (`referrals:read`, `referrals:write`), `auditor` (`audit:read`), `operator` (`admin`);
         *     `operator` or `auditor` cannot be combined with `case_worker` or `supervisor` (422 `roles_invalid`).
         *     Requires the `admin` scope and a step-up within the last 5 minutes.
         */
        post: operations["createUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One account
         * @description An account as `listUsers` shows it. Requires the `admin` scope.
         */
        get: operations["getUser"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{userId}/roles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Change an account's roles
         * @description Replaces the account's roles. Takes effect on the person's next request; their sessions are rotated. Nobody
         *     changes their own roles (403 `own_account`). Operators and auditors sign in with a passkey only, so an
         *     account without a passkey cannot be given either role (422 `passkey_required`). Requires the `admin`
         *     scope and a step-up within the last 5 minutes.
         */
        put: operations["setUserRoles"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{userId}/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Disable an account
         * @description The person can no longer sign in, and every session of theirs stops working on its next request. Not one's
         *     own account. Requires the `admin` scope and a step-up within the last 5 minutes.
         */
        post: operations["disableUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{userId}/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Enable an account again
         * @description Lets a disabled person sign in again. Requires the `admin` scope and a step-up within the last 5 minutes.
         */
        post: operations["enableUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{userId}/reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reset an account's factors
         * @description For a person who lost their factors: removes every passkey, password, TOTP secret and recovery code, ends
         *     every session of theirs and returns a new one-time enrolment link (1 hour). The operator never sees or sets
         *     a secret. Not one's own account. Requires the `admin` scope and a step-up within the last 5 minutes.
         */
        post: operations["resetUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{userId}/unlock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Lift an account's sign-in throttling
         * @description Clears the failed-attempt counter of an account locked by repeated failures. Requires the `admin` scope and a
         *     step-up within the last 5 minutes.
         */
        post: operations["unlockUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{userId}/sessions/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End all of an account's sessions
         * @description Ends every session of the person at once (for example after a lost laptop). Requires the `admin` scope and
         *     a step-up within the last 5 minutes.
         */
        post: operations["revokeUserSessions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/console": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The web console
         * @description Returns the console's single page. It loads its scripts and stylesheets from `/console/assets/` and
         *     nothing from anywhere else: the Content-Security-Policy allows only this node's own files (no inline
         *     script or style, no `eval`), and the page may not be framed. Never cached, so a new version of the
         *     node serves a new console at once. Unauthenticated: the page holds no data. `/console/` answers the
         *     same (`getConsolePage` with an empty page).
         */
        get: operations["getConsole"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/console/{page}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A page of the web console
         * @description The same single page as `getConsole`, for an address the console itself shows (e.g. `/console/sessions`),
         *     so that reloading or bookmarking a page works; an empty page (`/console/`) is the start page. The
         *     console draws the named page in the browser.
         */
        get: operations["getConsolePage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/console/assets/{asset}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A script, stylesheet or image of the web console
         * @description A file of the console build. Its name carries a hash of its content, so it is cached for a year
         *     and never changes.
         */
        get: operations["getConsoleAsset"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface webhooks {
    referralEvent: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * An event, delivered to a webhook subscription
         * @description What the node sends to a subscribed URL (see `createWebhookSubscription`): the event as its JSON body,
         *     signed in the Standard Webhooks scheme. Verify the signature over the exact bytes received before
         *     parsing them, and refuse a `webhook-timestamp` more than a few minutes away from your clock.
         *     The request carries no HTTP credentials: the signature is the authentication.
         */
        post: operations["deliverReferralEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface components {
    schemas: {
        /**
         * @description A node's identifier, a lowercase slug.
         * @example atina
         */
        NodeId: string;
        /**
         * @description A service the receiving organisation is asked to provide.
         * @example SAFE_ACCOMMODATION
         * @enum {string}
         */
        ServiceCode: "SAFE_ACCOMMODATION" | "PRIMARY_MEDICAL_CARE" | "MEDICAL_SPECIALIST_REFERRAL" | "HEALTH_EDUCATION" | "PSYCHOSOCIAL_SUPPORT" | "PSYCHOLOGICAL_COUNSELLING" | "LEGAL_COUNSELLING" | "PSYCHOTHERAPY" | "EDUCATION_AND_VOCATIONAL_TRAINING" | "EMPOWERMENT" | "FAMILY_MEDIATION" | "SOCIAL_AND_ECONOMIC_REINTEGRATION" | "LEGAL_STATUS_AND_DOCUMENTS" | "SUPPORT_IN_PROCEEDINGS" | "SAFE_RETURN";
        /**
         * @example TRAFFICKING_VICTIM
         * @enum {string}
         */
        PersonCategory: "TRAFFICKING_VICTIM" | "PRESUMED_TRAFFICKING_VICTIM" | "GBV_VICTIM" | "AT_RISK";
        /**
         * @description Transnational referral phase.
         * @example FIRST_ASSISTANCE
         * @enum {string}
         */
        Phase: "IDENTIFICATION" | "FIRST_ASSISTANCE" | "LONG_TERM_ASSISTANCE" | "RETURN" | "PROCEEDINGS";
        /**
         * @description Urgency; each level has a response deadline after which the referral is flagged overdue.
         * @example URGENT
         * @enum {string}
         */
        Urgency: "EMERGENCY" | "URGENT" | "ROUTINE";
        /**
         * @example HIGH
         * @enum {string}
         */
        RiskLevel: "LOW" | "MEDIUM" | "HIGH" | "CRITICAL";
        /**
         * @example RETRAFFICKING
         * @enum {string}
         */
        RiskThreat: "TRAFFICKER_CONTACT" | "PERPETRATOR_CONTACT" | "RETRAFFICKING" | "SELF_HARM" | "HEALTH_EMERGENCY" | "STALKING" | "FAMILY_PRESSURE" | "DEBT_BONDAGE";
        /**
         * @description Risk block. Always disclosed, because a risk to life must be shared even when everything else is withheld.
         * @example {
         *       "level": "HIGH",
         *       "threats": [
         *         "TRAFFICKER_CONTACT",
         *         "RETRAFFICKING"
         *       ]
         *     }
         */
        Risk: {
            level: components["schemas"]["RiskLevel"];
            threats: components["schemas"]["RiskThreat"][];
        };
        /**
         * @description A category of personal data covered by consent.
         * @example HEALTH
         * @enum {string}
         */
        DataCategory: "IDENTITY" | "AGE" | "GENDER" | "LANGUAGE" | "FAMILY" | "HEALTH" | "NATIONALITY" | "DOCUMENTS" | "CASE_NOTES";
        /**
         * @description A field that can cross to a peer; `note` is the referral's note (free text). The pseudonym and the risk block always cross and are not listed.
         * @example givenName
         * @enum {string}
         */
        DisclosableField: "givenName" | "familyName" | "ageBand" | "birthDate" | "gender" | "languages" | "accompanyingChildren" | "urgentHealthNeeds" | "nationality" | "documentNumber" | "note";
        /**
         * @description The fields one service needs. `onRequest` may travel with the referral; `afterAcceptance` only in a `referral.disclose` after the receiver accepted. The two lists do not overlap.
         * @example {
         *       "onRequest": [
         *         "givenName",
         *         "familyName",
         *         "birthDate",
         *         "gender",
         *         "languages",
         *         "nationality",
         *         "note"
         *       ],
         *       "afterAcceptance": [
         *         "documentNumber"
         *       ]
         *     }
         */
        DisclosureProfile: {
            onRequest: components["schemas"]["DisclosableField"][];
            afterAcceptance: components["schemas"]["DisclosableField"][];
        };
        /** @description One disclosure profile per service code (all fifteen). */
        DisclosureProfiles: {
            SAFE_ACCOMMODATION: components["schemas"]["DisclosureProfile"];
            PRIMARY_MEDICAL_CARE: components["schemas"]["DisclosureProfile"];
            MEDICAL_SPECIALIST_REFERRAL: components["schemas"]["DisclosureProfile"];
            HEALTH_EDUCATION: components["schemas"]["DisclosureProfile"];
            PSYCHOSOCIAL_SUPPORT: components["schemas"]["DisclosureProfile"];
            PSYCHOLOGICAL_COUNSELLING: components["schemas"]["DisclosureProfile"];
            LEGAL_COUNSELLING: components["schemas"]["DisclosureProfile"];
            PSYCHOTHERAPY: components["schemas"]["DisclosureProfile"];
            EDUCATION_AND_VOCATIONAL_TRAINING: components["schemas"]["DisclosureProfile"];
            EMPOWERMENT: components["schemas"]["DisclosureProfile"];
            FAMILY_MEDIATION: components["schemas"]["DisclosureProfile"];
            SOCIAL_AND_ECONOMIC_REINTEGRATION: components["schemas"]["DisclosureProfile"];
            LEGAL_STATUS_AND_DOCUMENTS: components["schemas"]["DisclosureProfile"];
            SUPPORT_IN_PROCEEDINGS: components["schemas"]["DisclosureProfile"];
            SAFE_RETURN: components["schemas"]["DisclosureProfile"];
        };
        /**
         * @description Status of a referral. Both nodes hold the same history, driven by signed messages; each status is set
         *     by one party, from the listed statuses only (anything else is refused with `illegal_transition`):
         *
         *     | status | set by | from |
         *     |---|---|---|
         *     | `requested` | sender | (new) |
         *     | `received` | receiver node, on delivery | requested |
         *     | `accepted`, `rejected` (rejection reason) | receiver | received |
         *     | `in-progress`, `on-hold` | receiver | accepted, in-progress, on-hold |
         *     | `completed` (outcome), `failed` | receiver | in-progress, on-hold |
         *     | `cancelled` (withdrawn) | sender | any but rejected, completed, failed, cancelled, entered-in-error |
         *     | `entered-in-error` | sender | any but entered-in-error |
         * @example accepted
         * @enum {string}
         */
        ReferralStatus: "requested" | "received" | "accepted" | "rejected" | "in-progress" | "on-hold" | "completed" | "failed" | "cancelled" | "entered-in-error";
        /**
         * @description Why the receiver rejects a referral.
         * @example NO_CAPACITY
         * @enum {string}
         */
        RejectionReason: "NO_CAPACITY" | "SERVICE_NOT_PROVIDED" | "OUTSIDE_AREA" | "NOT_ELIGIBLE" | "INSUFFICIENT_INFORMATION" | "PERSON_DECLINED" | "PERSON_UNREACHABLE" | "DUPLICATE" | "OTHER";
        /**
         * @description The outcome of a completed referral.
         * @example SERVICE_PROVIDED
         * @enum {string}
         */
        Outcome: "SERVICE_PROVIDED" | "PARTIALLY_PROVIDED" | "REFERRED_ONWARD" | "PERSON_DISCONTINUED" | "PERSON_RETURNED" | "OTHER";
        /**
         * @description The person's record as the organisation's own system sends it. It stays at the sending node; only what the disclosure rules allow leaves it.
         * @example {
         *       "localId": "ATN-2025-0142",
         *       "givenName": "Drita",
         *       "familyName": "Krasniqi",
         *       "ageBand": "18-25",
         *       "languages": [
         *         "sq",
         *         "sr-Latn"
         *       ]
         *     }
         */
        Person: {
            /** @description The person's id in the organisation's own case system. Never sent to a peer. */
            localId: string;
            givenName: string;
            familyName?: string;
            /** @enum {string} */
            ageBand?: "0-13" | "14-17" | "18-25" | "26-35" | "36-50" | "51+";
            /** Format: date */
            birthDate?: string;
            /** @enum {string} */
            gender?: "FEMALE" | "MALE" | "OTHER" | "UNDISCLOSED";
            /** @description BCP 47 language tags. */
            languages?: string[];
            accompanyingChildren?: number;
            urgentHealthNeeds?: string;
            /** @description ISO 3166-1 alpha-2 code (XK for Kosovo). */
            nationality?: string;
            documentNumber?: string;
        };
        /**
         * @description What crosses to the peer. The person is identified by a pairwise pseudonym; every other field is present only if the disclosure profiles of the requested services and the consent scope allow it.
         * @example {
         *       "pseudonym": "8PVmD1iC4-rzT6p1X5pY1a1Ssdpl-mUIdfXLYEA2f8E",
         *       "givenName": "Јелена",
         *       "ageBand": "26-35",
         *       "languages": [
         *         "sr-Cyrl"
         *       ]
         *     }
         */
        DisclosedPerson: {
            /** @description Pairwise pseudonym, base64url of HMAC-SHA256 over the local id and the peer's node id. */
            pseudonym: string;
            givenName?: string;
            familyName?: string;
            /** @enum {string} */
            ageBand?: "0-13" | "14-17" | "18-25" | "26-35" | "36-50" | "51+";
            /** Format: date */
            birthDate?: string;
            /** @enum {string} */
            gender?: "FEMALE" | "MALE" | "OTHER" | "UNDISCLOSED";
            languages?: string[];
            accompanyingChildren?: number;
            urgentHealthNeeds?: string;
            nationality?: string;
            documentNumber?: string;
        };
        /**
         * @description The person as a node shows it to its own systems. Outbound referrals carry the sender's own view (`localId`, `pseudonym` and the fields on record); inbound referrals carry only what the peer disclosed. Personal data may be absent after erasure.
         * @example {
         *       "localId": "ATN-2025-0142",
         *       "pseudonym": "Zn3f0NFxvO0xueLgikQHBik4YtO1ucfeCRAvJttq4ZE",
         *       "givenName": "Drita"
         *     }
         */
        PersonView: {
            localId?: string;
            pseudonym?: string;
            givenName?: string;
            familyName?: string;
            /** @enum {string} */
            ageBand?: "0-13" | "14-17" | "18-25" | "26-35" | "36-50" | "51+";
            /** Format: date */
            birthDate?: string;
            /** @enum {string} */
            gender?: "FEMALE" | "MALE" | "OTHER" | "UNDISCLOSED";
            languages?: string[];
            accompanyingChildren?: number;
            urgentHealthNeeds?: string;
            nationality?: string;
            documentNumber?: string;
        };
        /**
         * @example WRITTEN
         * @enum {string}
         */
        ConsentMethod: "WRITTEN" | "VERBAL_WITNESSED";
        /**
         * @description Legal basis for the cross-border transfer.
         * @example CONSENT
         * @enum {string}
         */
        LegalBasis: "CONSENT" | "VITAL_INTERESTS" | "LEGAL_OBLIGATION";
        /**
         * @description The consent record. It travels signed with the referral and bounds what may be disclosed.
         * @example {
         *       "givenAt": "2025-03-14T08:45:00+01:00",
         *       "method": "WRITTEN",
         *       "language": "sq",
         *       "recipient": "pvpt",
         *       "services": [
         *         "SAFE_ACCOMMODATION"
         *       ],
         *       "dataCategories": [
         *         "IDENTITY",
         *         "AGE"
         *       ],
         *       "validUntil": "2025-09-14T00:00:00Z",
         *       "legalBasis": "CONSENT",
         *       "recordedBy": "staff-0017"
         *     }
         */
        Consent: {
            /** Format: date-time */
            givenAt: string;
            method: components["schemas"]["ConsentMethod"];
            /** @description BCP 47 tag of the language consent was given in. */
            language: string;
            recipient: components["schemas"]["NodeId"];
            services: components["schemas"]["ServiceCode"][];
            dataCategories: components["schemas"]["DataCategory"][];
            /** Format: date-time */
            validUntil: string;
            legalBasis: components["schemas"]["LegalBasis"];
            /** @description Id of the staff member who recorded consent (an id, never a name). */
            recordedBy: string;
            /** @description Id of the staff member who witnessed verbal consent. */
            witness?: string;
        };
        ReferralCreate: {
            recipient: components["schemas"]["NodeId"];
            services: components["schemas"]["ServiceCode"][];
            urgency: components["schemas"]["Urgency"];
            personCategory: components["schemas"]["PersonCategory"];
            phase: components["schemas"]["Phase"];
            risk: components["schemas"]["Risk"];
            person: components["schemas"]["Person"];
            consent: components["schemas"]["Consent"];
            note?: string;
        };
        /**
         * @description Why the sender withdraws a referral. Both fields are optional and are sent to the peer.
         * @example {
         *       "reason": "PERSON_DECLINED",
         *       "note": "Korisnica je odlučila da ostane u Beogradu."
         *     }
         */
        WithdrawReferral: {
            /** @description Reason code, upper case (for example `PERSON_DECLINED`). */
            reason?: string;
            note?: string;
        };
        /**
         * @description An optional note on a status change (accept, start, hold, fail, entered in error).
         * @example {
         *       "note": "Prvi razgovor je zakazan za 17. mart u Prištini."
         *     }
         * @example {}
         */
        TransitionNote: {
            note?: string;
        };
        /**
         * @description Why the receiver rejects a referral.
         * @example {
         *       "reason": "NO_CAPACITY"
         *     }
         */
        RejectReferral: {
            reason: components["schemas"]["RejectionReason"];
            note?: string;
        };
        /**
         * @description The outcome of the referral the receiver completes.
         * @example {
         *       "outcome": "SERVICE_PROVIDED"
         *     }
         */
        CompleteReferral: {
            outcome: components["schemas"]["Outcome"];
            note?: string;
        };
        /**
         * @example {
         *       "status": "rejected",
         *       "at": "2025-03-15T10:00:00Z",
         *       "by": "pvpt",
         *       "reason": "NO_CAPACITY"
         *     }
         */
        StatusChange: {
            status: components["schemas"]["ReferralStatus"];
            /** Format: date-time */
            at: string;
            by: components["schemas"]["NodeId"];
            /** @description Reason or outcome code. */
            reason?: string;
            note?: string;
        };
        Referral: {
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            direction: "inbound" | "outbound";
            peer: components["schemas"]["NodeId"];
            status: components["schemas"]["ReferralStatus"];
            services: components["schemas"]["ServiceCode"][];
            urgency: components["schemas"]["Urgency"];
            personCategory: components["schemas"]["PersonCategory"];
            phase: components["schemas"]["Phase"];
            risk: components["schemas"]["Risk"];
            person: components["schemas"]["PersonView"];
            consent: components["schemas"]["Consent"];
            note?: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /**
             * Format: date-time
             * @description When the receiver's answer (accepted or rejected) is due, from the creation on this node and the urgency's response deadline.
             */
            responseDueAt: string;
            /** @description True while the referral is still requested or received after `responseDueAt`. */
            overdue: boolean;
            history: components["schemas"]["StatusChange"][];
            /**
             * Format: date-time
             * @description Outbound only, when the person's revocation of consent was recorded.
             */
            consentRevokedAt?: string;
            /**
             * Format: date-time
             * @description When this node erased the person's data (inbound, on revocation or expiry of the consent; either side, by retention). Ids, codes and statuses stay.
             */
            erasedAt?: string;
            /**
             * Format: date-time
             * @description Outbound only, when the peer's signed `erasure.confirm` arrived.
             */
            erasureConfirmedAt?: string;
        };
        /**
         * @description Request body of `discloseReferral`, the fields of the person's record to release.
         * @example {
         *       "fields": [
         *         "documentNumber"
         *       ]
         *     }
         */
        DiscloseFields: {
            fields: components["schemas"]["DisclosableField"][];
        };
        /**
         * @description Request body of `revokeConsent`.
         * @example {
         *       "reason": "WITHDRAWN_IN_WRITING"
         *     }
         */
        RevokeConsent: {
            /** @description Reason code, upper case. */
            reason?: string;
        };
        /**
         * @description A question or an answer about a referral. Free text about the person, kept out of logs and the audit log.
         * @example {
         *       "text": "Ka nevojë për përkthyes gjatë pranimit?"
         *     }
         */
        InfoText: {
            text: string;
        };
        /** @description A question one node asked about a referral, with its answer once it arrived. Texts are absent after erasure. */
        InfoRequest: {
            /** Format: uuid */
            id: string;
            askedBy: components["schemas"]["NodeId"];
            /** Format: date-time */
            askedAt: string;
            question?: string;
            answeredBy?: components["schemas"]["NodeId"];
            /** Format: date-time */
            answeredAt?: string;
            answer?: string;
        };
        InfoRequestList: {
            items: components["schemas"]["InfoRequest"][];
        };
        ReferralList: {
            items: components["schemas"]["Referral"][];
            /** @description Cursor of the next page, or null on the last page. */
            nextCursor: string | null;
        };
        /**
         * @description Stable machine-readable error code.
         * @example validation_failed
         * @enum {string}
         */
        ProblemCode: "validation_failed" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "payload_too_large" | "unsupported_media_type" | "rate_limited" | "internal_error" | "not_ready" | "peer_unknown" | "peer_not_active" | "message_malformed" | "message_header_forbidden" | "message_algorithm_forbidden" | "message_decrypt_failed" | "message_signature_invalid" | "message_key_unknown" | "message_audience_mismatch" | "message_issuer_mismatch" | "message_stale" | "message_replay_conflict" | "message_body_invalid" | "message_out_of_order" | "receipt_invalid" | "idempotency_key_in_use" | "idempotency_key_reused" | "illegal_transition" | "disclosure_not_allowed" | "referral_not_accepted" | "consent_not_valid" | "checkpoint_invalid" | "audit_inconsistent" | "webhook_target_forbidden" | "sign_in_failed" | "csrf_rejected" | "step_up_required" | "own_account" | "enrolment_invalid" | "password_rejected" | "passkey_invalid" | "passkey_required" | "last_factor" | "roles_invalid" | "oidc_not_configured" | "local_factor_required";
        /** @description RFC 9457 problem details with a stable `code`. A 500 never reveals internals. */
        Problem: {
            /** Format: uri-reference */
            type: string;
            title: string;
            status: number;
            code: components["schemas"]["ProblemCode"];
            detail?: string;
            instance?: string;
            requestId?: string;
            /** @description Failing fields, for `validation_failed` and `message_body_invalid`. */
            errors?: {
                /** @description JSON Pointer to the failing value. */
                path: string;
                message: string;
            }[];
            /**
             * @description For `forbidden`: the scopes this operation accepts, of which the token needs any one (the scopes
             *     of the operation's `security`). Ask the node's operator for a token with one of them.
             */
            requiredScopes?: string[];
        };
        /**
         * @description A JWE in compact serialization (`alg` `ECDH-ES+A256KW`, `enc` `A256GCM`, to the receiver's X25519 key).
         *     Its plaintext is a compact JWS (`alg` `EdDSA`, `typ` `bridge-msg+jwt`) whose payload is `MessageClaims`.
         */
        CompactJwe: string;
        /** @description A JWS in compact serialization. */
        CompactJws: string;
        /**
         * @description SHA-256 as `sha-256:` followed by the unpadded base64url digest.
         * @example sha-256:T4O9zgg1PBRENsDKAouEg4Eko66XYujQUbcmUxyWZzw
         */
        Digest: string;
        /**
         * @example referral.request
         * @enum {string}
         */
        MessageType: "referral.request" | "referral.status" | "referral.disclose" | "referral.info-request" | "referral.info-response" | "referral.withdraw" | "consent.revoke" | "erasure.confirm" | "ping";
        /** @description The `body` of a `referral.request` message. */
        ReferralRequestBody: {
            services: components["schemas"]["ServiceCode"][];
            urgency: components["schemas"]["Urgency"];
            personCategory: components["schemas"]["PersonCategory"];
            phase: components["schemas"]["Phase"];
            risk: components["schemas"]["Risk"];
            person: components["schemas"]["DisclosedPerson"];
            consent: components["schemas"]["Consent"];
            note?: string;
        };
        /**
         * @description The `body` of a `referral.withdraw` message, sent when the sender cancels a referral. `from` is the
         *     status the sender cancelled it from (see ReferralStatusBody for what a receiver does when that is
         *     not its current status).
         * @example {
         *       "from": "received",
         *       "reason": "PERSON_DECLINED"
         *     }
         * @example {
         *       "from": "accepted"
         *     }
         */
        ReferralWithdrawBody: {
            from: components["schemas"]["ReferralStatus"];
            /** @description Reason code, upper case (for example `PERSON_DECLINED`). */
            reason?: string;
            note?: string;
        };
        /**
         * @description The `body` of a `referral.status` message: a status change made by the sending node, at `at` by its
         *     clock (the receiver records it no earlier than the entry before it and no later than its own now).
         *     `reason` is a rejection reason for `rejected` and an outcome for `completed`, and absent otherwise.
         *
         *     `from` is the status the change was made from. When it is the receiving node's current status, the
         *     change is checked against the lifecycle table as usual (`illegal_transition` if the table refuses
         *     it). When it is not, the change was made concurrently with a change of the receiving node that had
         *     not reached the sender yet; the only such pairs are the referral sender's `cancelled` or
         *     `entered-in-error` and the referral receiver's changes. Both nodes resolve them by one rule: the
         *     sender's change wins (the referral ends with its status), and both changes stay in the history,
         *     the receiver's concurrent changes first, then the sender's. The message is accepted, never
         *     refused for it; it is refused with `illegal_transition` only when the table does not allow the
         *     change from `from`, or `from` is not a status the sender could have been at.
         * @example {
         *       "status": "rejected",
         *       "from": "received",
         *       "at": "2025-03-15T10:00:00Z",
         *       "reason": "NO_CAPACITY"
         *     }
         * @example {
         *       "status": "in-progress",
         *       "from": "accepted",
         *       "at": "2025-03-17T09:00:00Z"
         *     }
         */
        ReferralStatusBody: {
            /** @enum {string} */
            status: "accepted" | "rejected" | "in-progress" | "on-hold" | "completed" | "failed" | "entered-in-error";
            from: components["schemas"]["ReferralStatus"];
            /** Format: date-time */
            at: string;
            reason?: string;
            note?: string;
        };
        /**
         * @description Person fields released by a `referral.disclose` (no pseudonym, which the request already carried).
         * @example {
         *       "documentNumber": "P0012345"
         *     }
         */
        DisclosedFields: {
            givenName?: string;
            familyName?: string;
            /** @enum {string} */
            ageBand?: "0-13" | "14-17" | "18-25" | "26-35" | "36-50" | "51+";
            /** Format: date */
            birthDate?: string;
            /** @enum {string} */
            gender?: "FEMALE" | "MALE" | "OTHER" | "UNDISCLOSED";
            languages?: string[];
            accompanyingChildren?: number;
            urgentHealthNeeds?: string;
            nationality?: string;
            documentNumber?: string;
        };
        /**
         * @description The `body` of a `referral.disclose` message, sent by the referral's sender after acceptance.
         * @example {
         *       "person": {
         *         "documentNumber": "P0012345",
         *         "birthDate": "1999-05-17"
         *       }
         *     }
         */
        ReferralDiscloseBody: {
            person: components["schemas"]["DisclosedFields"];
            note?: string;
        };
        /**
         * @description The `body` of a `referral.info-request` message (either side asks).
         * @example {
         *       "questionId": "0192f4b0-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
         *       "text": "Ka nevojë për përkthyes gjatë pranimit?"
         *     }
         */
        ReferralInfoRequestBody: {
            /** Format: uuid */
            questionId: string;
            text: string;
        };
        /**
         * @description The `body` of a `referral.info-response` message, the answer to a question of the other side.
         * @example {
         *       "questionId": "0192f4b0-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
         *       "text": "Da, govori albanski i malo srpski."
         *     }
         */
        ReferralInfoResponseBody: {
            /** Format: uuid */
            questionId: string;
            text: string;
        };
        /**
         * @description The `body` of a `consent.revoke` message. The receiver must erase the person's data and answer `erasure.confirm`.
         * @example {
         *       "revokedAt": "2025-03-16T11:20:00Z",
         *       "reason": "WITHDRAWN_IN_WRITING"
         *     }
         */
        ConsentRevokeBody: {
            /** Format: date-time */
            revokedAt: string;
            reason?: string;
        };
        /**
         * @description The `body` of an `erasure.confirm` message, the receiver's signed statement that it erased the person's data of the referral.
         * @example {
         *       "reason": "CONSENT_REVOKED",
         *       "erasedAt": "2025-03-16T11:20:03Z"
         *     }
         */
        ErasureConfirmBody: {
            /** @enum {string} */
            reason: "CONSENT_REVOKED" | "CONSENT_EXPIRED";
            /** Format: date-time */
            erasedAt: string;
        };
        /**
         * @description The signed payload of every node-to-node message. The schema of `body` depends on `type` (one
         *     `if`/`then` per type in `allOf`): `referral.request` → `ReferralRequestBody`, `referral.withdraw` →
         *     `ReferralWithdrawBody`, `referral.status` → `ReferralStatusBody`, `referral.disclose` → `ReferralDiscloseBody`, `referral.info-request` →
         *     `ReferralInfoRequestBody`, `referral.info-response` → `ReferralInfoResponseBody`, `consent.revoke` →
         *     `ConsentRevokeBody`, `erasure.confirm` → `ErasureConfirmBody`.
         * @example {
         *       "iss": "atina",
         *       "aud": "pvpt",
         *       "iat": 1741944600,
         *       "exp": 1741944900,
         *       "jti": "0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11",
         *       "type": "ping",
         *       "referralId": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
         *       "seq": 2,
         *       "prev": "sha-256:JURhb1QkJdOXoQSZTty7f-eS-sb5eWgsSF-gB182H7c",
         *       "body": {}
         *     }
         */
        MessageClaims: {
            iss: components["schemas"]["NodeId"];
            aud: components["schemas"]["NodeId"];
            /** @description Issued at, seconds since the epoch. */
            iat: number;
            /** @description Expiry, seconds since the epoch. */
            exp: number;
            /**
             * Format: uuid
             * @description Message id (UUIDv7).
             */
            jti: string;
            type: components["schemas"]["MessageType"];
            /** Format: uuid */
            referralId: string;
            /** @description Position of the message in its referral, from 1. */
            seq: number;
            /** @description Digest of the previous message of this referral, or null for the first. */
            prev: components["schemas"]["Digest"] | null;
            /** @description Message body; its schema depends on `type`. */
            body: {
                [key: string]: unknown;
            };
        } & (unknown & unknown & unknown & unknown & unknown & unknown & unknown & unknown);
        /**
         * @description The label of a code in English, Serbian (Latin and Cyrillic script) and Albanian.
         * @example {
         *       "en": "Safe accommodation",
         *       "sr-Latn": "Bezbedan smeštaj",
         *       "sr-Cyrl": "Безбедан смештај",
         *       "sq": "Strehim i sigurt"
         *     }
         */
        Labels: {
            en: string;
            "sr-Latn": string;
            "sr-Cyrl": string;
            sq: string;
        };
        CodeListEntry: {
            code: string;
            labels: components["schemas"]["Labels"];
        };
        /** @description Every code list, in the order of its enum. */
        CodeLists: {
            /** @description The `ServiceCode` values. */
            services: components["schemas"]["CodeListEntry"][];
            /** @description The `PersonCategory` values. */
            personCategories: components["schemas"]["CodeListEntry"][];
            /** @description The `Phase` values. */
            phases: components["schemas"]["CodeListEntry"][];
            /** @description The `Urgency` values. */
            urgencies: components["schemas"]["CodeListEntry"][];
            /** @description The `RejectionReason` values. */
            rejectionReasons: components["schemas"]["CodeListEntry"][];
            /** @description The `Outcome` values. */
            outcomes: components["schemas"]["CodeListEntry"][];
            /** @description The `RiskThreat` values. */
            riskThreats: components["schemas"]["CodeListEntry"][];
            /** @description The `RiskLevel` values. */
            riskLevels: components["schemas"]["CodeListEntry"][];
            /** @description The `DataCategory` values. */
            dataCategories: components["schemas"]["CodeListEntry"][];
        };
        /**
         * @description Delivery status of an outbox message: `queued` (waiting for its first attempt), `sending` (an attempt
         *     is in flight), `retrying` (an attempt failed; another is scheduled), `delivered` (the peer returned a
         *     valid receipt), `dead` (the delivery deadline passed or the peer refused it for good) or `discarded`
         *     (an operator gave up a dead message; outbox messages only, see `discardOutboxMessage`).
         * @example retrying
         * @enum {string}
         */
        OutboxStatus: "queued" | "sending" | "retrying" | "delivered" | "dead" | "discarded";
        /**
         * @description Why an operator discards a dead message: `REFUSED_BY_PEER` (the peer refuses it for good and it
         *     cannot be corrected), `OBSOLETE` (later events made it pointless, e.g. the referral was closed or its
         *     consent revoked), `SENT_IN_ERROR` (it should never have been queued) or `PEER_RETIRED` (the peer
         *     left the network and will never take it).
         * @example REFUSED_BY_PEER
         * @enum {string}
         */
        OutboxDiscardReason: "REFUSED_BY_PEER" | "OBSOLETE" | "SENT_IN_ERROR" | "PEER_RETIRED";
        /** @description Why a dead message is discarded (`discardOutboxMessage`). */
        OutboxDiscard: {
            reason: components["schemas"]["OutboxDiscardReason"];
        };
        /**
         * @description A message in the outbox, as operators see it: where it goes, what kind it is and how its delivery
         *     goes. It never includes the message body, which carries personal data.
         * @example {
         *       "id": "0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11",
         *       "peer": "pvpt",
         *       "referralId": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
         *       "type": "referral.request",
         *       "seq": 1,
         *       "status": "retrying",
         *       "attempts": 3,
         *       "lastError": "http_503",
         *       "nextAttemptAt": "2025-03-14T09:38:00Z",
         *       "deadlineAt": "2025-03-15T09:30:00Z",
         *       "createdAt": "2025-03-14T09:30:00Z",
         *       "deliveredAt": null
         *     }
         */
        OutboxMessage: {
            /**
             * Format: uuid
             * @description Message id (the `jti` of the message).
             */
            id: string;
            peer: components["schemas"]["NodeId"];
            /**
             * Format: uuid
             * @description The referral the message belongs to, or null for a message outside any referral.
             */
            referralId: string | null;
            type: components["schemas"]["MessageType"];
            /** @description Position of the message in its referral, from 1. */
            seq: number;
            status: components["schemas"]["OutboxStatus"];
            /** @description Delivery attempts made so far. */
            attempts: number;
            /** @description Why the last attempt failed (a problem code or a short transport error), or null. Never contains personal data. */
            lastError: string | null;
            /**
             * Format: date-time
             * @description When the next attempt is due.
             */
            nextAttemptAt: string;
            /**
             * Format: date-time
             * @description After this instant the message is no longer retried and becomes `dead`.
             */
            deadlineAt: string;
            /** Format: date-time */
            createdAt: string;
            /**
             * Format: date-time
             * @description When the peer's receipt was accepted, or null while undelivered.
             */
            deliveredAt: string | null;
        };
        OutboxMessageList: {
            items: components["schemas"]["OutboxMessage"][];
            /** @description Cursor of the next page, or null on the last page. */
            nextCursor: string | null;
        };
        /**
         * @description The signed payload of a delivery receipt.
         * @example {
         *       "iss": "pvpt",
         *       "aud": "atina",
         *       "iat": 1741944605,
         *       "jti": "0192f4a1-7d9a-7e05-a3b7-61c2d84e0f52",
         *       "messageId": "0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11",
         *       "digest": "sha-256:T4O9zgg1PBRENsDKAouEg4Eko66XYujQUbcmUxyWZzw",
         *       "logIndex": 1842
         *     }
         */
        ReceiptClaims: {
            iss: components["schemas"]["NodeId"];
            aud: components["schemas"]["NodeId"];
            iat: number;
            /** Format: uuid */
            jti: string;
            /**
             * Format: uuid
             * @description The `jti` of the delivered message.
             */
            messageId: string;
            digest: components["schemas"]["Digest"];
            /** @description The receiver's audit-log index of the delivery event. */
            logIndex: number;
        };
        ReceiptResponse: {
            /** @description A compact JWS (`alg` `EdDSA`, `typ` `bridge-receipt+jwt`) signed by the receiver, whose payload is `ReceiptClaims`. It proves delivery, not acceptance. */
            receipt: components["schemas"]["CompactJws"];
        };
        NodeMetadata: {
            nodeId: components["schemas"]["NodeId"];
            /** @description Display name of the organisation. */
            name: string;
            jurisdiction: string;
            /** @description Major versions of this contract the node supports. */
            contractVersions: string[];
            urls: {
                /** Format: uri */
                api: string;
                /** Format: uri */
                messages: string;
                /** Format: uri */
                jwks: string;
            };
            /** @description SHA-256 fingerprints (lowercase hex of the DER) of the self-signed certificates the federation listener presents and, as a client, offers to peers: the current one and, during a rotation, the next or previous. Part of the node fingerprint; peers pin them. Absent when the node serves federation over plain HTTP (demo and tests only). */
            tlsCertificates?: string[];
        };
        /** @description A public OKP key. Private members (`d`) are never present. */
        PublicJwk: {
            /** @enum {string} */
            kty: "OKP";
            /** @enum {string} */
            crv: "Ed25519" | "X25519";
            /** @description The public key, unpadded base64url. */
            x: string;
            kid: string;
            /** @enum {string} */
            use: "sig" | "enc";
            /** @enum {string} */
            alg: "EdDSA" | "ECDH-ES+A256KW";
            /** @enum {string} */
            purpose: "signing" | "encryption" | "log";
            /** Format: date-time */
            validFrom: string;
            /**
             * Format: date-time
             * @description End of validity, or null while the key is current.
             */
            validUntil?: string | null;
        };
        Jwks: {
            keys: components["schemas"]["PublicJwk"][];
        };
        /**
         * @description A 32-byte SHA-256 hash (RFC 9162 tree hash), unpadded base64url.
         * @example 47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU
         */
        MerkleHash: string;
        /** @description One audit event as stored. Ids, types, actors, peers, digests and codes only; never personal data. */
        AuditEvent: {
            /** @description The event id; a receipt's `logIndex`. */
            idx: number;
            /** @description Position in the Merkle tree, null until sequenced. */
            leafIndex: number | null;
            /** @description RFC 3339 UTC time with microseconds, exactly as stored (it is part of the leaf). */
            at: string;
            type: string;
            actor: string;
            peerNodeId: string | null;
            referralId: string | null;
            messageId: string | null;
            digest: string | null;
            /** @description Codes and counts. */
            detail: {
                [key: string]: string | number | boolean | null;
            } | null;
        };
        AuditEventList: {
            items: components["schemas"]["AuditEvent"][];
            /** @description Cursor of the next page, or null on the last page. */
            nextCursor: string | null;
        };
        /** @description A signed tree head of this node's log. */
        AuditCheckpoint: {
            treeSize: number;
            rootHash: components["schemas"]["MerkleHash"];
            /** Format: date-time */
            issuedAt: string;
            checkpoint: components["schemas"]["CompactJws"];
        };
        AuditEventProof: {
            event: components["schemas"]["AuditEvent"];
            leafIndex: number;
            checkpoint: components["schemas"]["AuditCheckpoint"];
            /** @description RFC 9162 inclusion proof, bottom-up. */
            proof: components["schemas"]["MerkleHash"][];
        };
        AuditConsistencyProof: {
            from: components["schemas"]["AuditCheckpoint"];
            to: components["schemas"]["AuditCheckpoint"];
            /** @description RFC 9162 consistency proof. */
            proof: components["schemas"]["MerkleHash"][];
        };
        /** @description An audit export (NDJSON or CSV), as described on `exportAuditLog`. */
        AuditExport: string;
        /** @description The first thing that failed. */
        AuditFailure: {
            leafIndex: number | null;
            eventId: number | null;
            reason: string;
        };
        AuditVerification: {
            ok: boolean;
            treeSize: number;
            entries: number;
            cosignatures: number;
            failure: components["schemas"]["AuditFailure"] | null;
        };
        WitnessOutcome: {
            peer: components["schemas"]["NodeId"];
            /**
             * @description `cosigned`, `inconsistent` (the peer's log does not extend what this node co-signed: an alert), `invalid` (bad signature) or `unreachable`.
             * @enum {string}
             */
            outcome: "cosigned" | "inconsistent" | "invalid" | "unreachable";
            treeSize: number | null;
        };
        WitnessOutcomeList: {
            checkpoint: components["schemas"]["AuditCheckpoint"];
            peers: components["schemas"]["WitnessOutcome"][];
        };
        CheckpointResponse: {
            checkpoint: components["schemas"]["CompactJws"];
            /** @description RFC 9162 consistency proof from the witness's `fromSize` to the checkpoint. */
            consistency: components["schemas"]["MerkleHash"][];
        };
        Health: {
            /** @enum {string} */
            status: "ok";
        };
        /** @description An OpenAPI 3.1 document. Only the members every document has are described here. */
        OpenApiDocument: {
            /** @description Version of the OpenAPI specification. */
            openapi: string;
            info: {
                title: string;
                version: string;
            } & {
                [key: string]: unknown;
            };
            paths: {
                [key: string]: unknown;
            };
        } & {
            [key: string]: unknown;
        };
        /** @description A self-contained HTML page. */
        ApiDocsHtml: string;
        /** @description The console's single HTML page. */
        ConsoleHtml: string;
        /**
         * Format: binary
         * @description A file of the console build.
         */
        ConsoleAsset: string;
        /** @description Metrics in the Prometheus text exposition format, version 0.0.4. */
        MetricsText: string;
        Readiness: {
            /** @enum {string} */
            status: "ready" | "not_ready";
            checks: {
                database: boolean;
                migrations: boolean;
                keys: boolean;
            };
        };
        /**
         * @description What happened to a referral: `referral.created` (this node created an outbound referral),
         *     `referral.received` (a peer's referral arrived), `referral.status_changed` (any status change, on
         *     either side, including `cancelled` by a withdrawal), `referral.message_delivered` (a message of the
         *     referral reached the peer, with a verified receipt), `referral.message_dead` (a message was given
         *     up after its delivery deadline; an operator can resend it), `referral.message_refused` (an alert:
         *     the peer refused a message with a code that can never succeed, such as `illegal_transition` or
         *     `message_body_invalid`, so it was dead-lettered at its first refusal; the later messages of the
         *     referral wait until an operator resends or discards it) and `referral.overdue` (the referral's
         *     response deadline passed while it was still `requested` or `received`, on this node's clock; once
         *     per referral).
         *
         *     What this node did and what arrived from the peer are separate types, so a subscription can ask for
         *     arrivals only: `referral.disclosed` (this node, the sender, released further fields; `fields`) and
         *     `referral.disclosure_received` (further fields arrived from the sender; `fields`);
         *     `referral.question_asked` (this node asked the peer a question) and `referral.question_received`
         *     (the peer asked one); `referral.question_answered` (this node answered the peer's question) and
         *     `referral.answer_received` (the peer answered one of this node's), each with its `questionId`;
         *     `referral.consent_revoked` (this node, the sender, recorded that the person withdrew her consent;
         *     `reason` when one was given); `referral.erased` (this node erased the person's data of the
         *     referral; `reason` is `CONSENT_REVOKED` when the sender's revocation arrived, `CONSENT_EXPIRED` or
         *     `RETENTION`) and `referral.erasure_confirmed` (the receiver confirmed that it erased the data;
         *     `reason`); `referral.message_refused` is an alert: the peer refused a message for good, so it was
         *     dead-lettered at once (`error` names the code). None of them carries the text: GET the referral or its questions for that.
         *     More types may be added: ignore unknown ones.
         * @example referral.status_changed
         * @example referral.overdue
         * @example referral.question_received
         * @enum {string}
         */
        EventType: "referral.created" | "referral.received" | "referral.status_changed" | "referral.message_delivered" | "referral.message_dead" | "referral.message_refused" | "referral.overdue" | "referral.disclosed" | "referral.disclosure_received" | "referral.question_asked" | "referral.question_received" | "referral.question_answered" | "referral.answer_received" | "referral.consent_revoked" | "referral.erased" | "referral.erasure_confirmed";
        /**
         * @description One change to a referral. Ids, codes and times only, never personal data or free text: GET the
         *     referral for its content. The same object is the body of a webhook delivery.
         * @example {
         *       "id": "0192f4a1-8a00-7e35-9f44-6d7e8f900112",
         *       "type": "referral.status_changed",
         *       "occurredAt": "2025-03-15T10:00:00Z",
         *       "referralId": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
         *       "direction": "outbound",
         *       "peer": "pvpt",
         *       "status": "cancelled",
         *       "previousStatus": "received",
         *       "reason": "PERSON_DECLINED"
         *     }
         * @example {
         *       "id": "0192f4a1-8a00-7e35-9f44-6d7e8f900113",
         *       "type": "referral.overdue",
         *       "occurredAt": "2025-03-15T14:00:00Z",
         *       "referralId": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b41",
         *       "direction": "inbound",
         *       "peer": "atina",
         *       "status": "received"
         *     }
         * @example {
         *       "id": "0192f4a1-8a00-7e35-9f44-6d7e8f900114",
         *       "type": "referral.disclosure_received",
         *       "occurredAt": "2025-03-16T09:00:00Z",
         *       "referralId": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
         *       "direction": "inbound",
         *       "peer": "atina",
         *       "status": "accepted",
         *       "fields": [
         *         "givenName",
         *         "familyName"
         *       ]
         *     }
         */
        Event: {
            /**
             * Format: uuid
             * @description Event id; also the `webhook-id` of its deliveries, so a receiver can deduplicate.
             */
            id: string;
            type: components["schemas"]["EventType"];
            /** Format: date-time */
            occurredAt: string;
            /** Format: uuid */
            referralId: string;
            /** @enum {string} */
            direction: "inbound" | "outbound";
            peer: components["schemas"]["NodeId"];
            status: components["schemas"]["ReferralStatus"];
            previousStatus?: components["schemas"]["ReferralStatus"];
            /**
             * @description The reason code of a status change or of a revocation of consent, when one was given; for
             *     `referral.erased` and `referral.erasure_confirmed`, why the data was erased.
             */
            reason?: string;
            /**
             * Format: uuid
             * @description For message events, the message id.
             */
            messageId?: string;
            messageType?: components["schemas"]["MessageType"];
            /** @description For `referral.message_dead` and `referral.message_refused`, the last delivery error (a code). */
            error?: string;
            /** @description For `referral.disclosed` and `referral.disclosure_received`, which fields were released (names only, never values). */
            fields?: components["schemas"]["DisclosableField"][];
            /**
             * Format: uuid
             * @description For the question and answer events, the question's id (GET the referral's questions for the text).
             */
            questionId?: string;
        };
        EventPage: {
            items: components["schemas"]["Event"][];
            /** @description Cursor to pass as `after` next time; the same as `after` when the page is empty. */
            nextCursor: string;
        };
        WebhookSubscriptionCreate: {
            /**
             * Format: uri
             * @description An `http` or `https` URL without credentials in it. Use https outside a private network.
             */
            url: string;
            /** @description The event types to deliver; absent for every type (including types added later). */
            eventTypes?: components["schemas"]["EventType"][];
        };
        /** @description A webhook subscription. Its secret is never returned after creation. */
        WebhookSubscription: {
            /** Format: uuid */
            id: string;
            /** Format: uri */
            url: string;
            /** @description The event types delivered, or null for every type. */
            eventTypes: components["schemas"]["EventType"][] | null;
            /** Format: date-time */
            createdAt: string;
        };
        /** @description A new webhook subscription with its signing secret, returned once, at creation. */
        WebhookSubscriptionCreated: {
            /** Format: uuid */
            id: string;
            /** Format: uri */
            url: string;
            eventTypes: components["schemas"]["EventType"][] | null;
            /** Format: date-time */
            createdAt: string;
            /** @description The signing secret, `whsec_` and 32 random bytes in base64 (the Standard Webhooks format). Shown only here. */
            secret: string;
        };
        WebhookSubscriptionList: {
            items: components["schemas"]["WebhookSubscription"][];
        };
        /** @description The delivery of one event to one subscription, as operators see it. Never the receiver's answer. */
        WebhookDelivery: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            subscriptionId: string;
            /** Format: uuid */
            eventId: string;
            eventType: components["schemas"]["EventType"];
            status: components["schemas"]["OutboxStatus"];
            attempts: number;
            /** @description Why the last attempt failed (`http_<status>`, `timeout`, `network_<code>`, `subscription_deleted`), or null. */
            lastError: string | null;
            /** Format: date-time */
            nextAttemptAt: string;
            /** Format: date-time */
            deadlineAt: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            deliveredAt: string | null;
        };
        WebhookDeliveryList: {
            items: components["schemas"]["WebhookDelivery"][];
            /** @description Cursor of the next page, or null on the last page. */
            nextCursor: string | null;
        };
        /**
         * @description A person's role: `case_worker` and `supervisor` give `referrals:read` and `referrals:write`; `auditor` gives
         *     `audit:read`; `operator` gives `admin`.
         * @enum {string}
         */
        UserRole: "case_worker" | "supervisor" | "auditor" | "operator";
        /**
         * @description A scope of a client token or of a person's roles.
         * @enum {string}
         */
        Scope: "referrals:read" | "referrals:write" | "audit:read" | "admin";
        /** @description A sign-in name, lower case letters, digits, `.`, `_` and `-`, 2 to 64 characters. */
        Username: string;
        /**
         * @description Language and script of the console (never a bare `sr`).
         * @enum {string}
         */
        ConsoleLocale: "en" | "sr-Latn" | "sr-Cyrl" | "sq";
        /**
         * @description The factor a session was signed in with.
         * @enum {string}
         */
        SignInMethod: "passkey" | "password" | "recovery_code" | "oidc";
        SignInOptions: {
            passkey: boolean;
            /** @description Whether password with TOTP is offered (to case workers and supervisors only). */
            password: boolean;
            /** @description The organisation's identity provider, when configured. */
            oidc: null | {
                label: string;
            };
        };
        Passkey: {
            /** Format: uuid */
            id: string;
            name: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            lastUsedAt: string | null;
            /** @description The authenticator reports the key as synced (a multi-device passkey). */
            backedUp: boolean;
        };
        OwnFactors: {
            passkeys: components["schemas"]["Passkey"][];
            password: boolean;
            totp: boolean;
            recoveryCodesLeft: number;
        };
        CurrentUser: {
            /** Format: uuid */
            id: string;
            username: components["schemas"]["Username"];
            roles: components["schemas"]["UserRole"][];
            /** @description What the roles allow, as the scopes of the contract's operations. */
            scopes: components["schemas"]["Scope"][];
            locale: components["schemas"]["ConsoleLocale"];
            factors: components["schemas"]["OwnFactors"];
        };
        SessionState: {
            /** Format: uuid */
            id: string;
            method: components["schemas"]["SignInMethod"];
            /** Format: date-time */
            createdAt: string;
            /**
             * Format: date-time
             * @description The session ends at this time unless it is used before (idle timeout, 15 minutes by default).
             */
            idleExpiresAt: string;
            /**
             * Format: date-time
             * @description The session ends at this time whatever happens (absolute timeout, 8 hours by default).
             */
            expiresAt: string;
            /**
             * Format: date-time
             * @description Sensitive operations are allowed until this time; null when no step-up is in force.
             */
            stepUpUntil: string | null;
        };
        SessionInfo: {
            user: components["schemas"]["CurrentUser"];
            session: components["schemas"]["SessionState"];
            /** @description Send it as `X-CSRF-Token` with every state-changing request of this session. Changes when the session is rotated. */
            csrfToken: string;
        };
        SessionSummary: {
            /** Format: uuid */
            id: string;
            method: components["schemas"]["SignInMethod"];
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            lastSeenAt: string;
            /** Format: date-time */
            expiresAt: string;
            current: boolean;
        };
        SessionList: {
            items: components["schemas"]["SessionSummary"][];
        };
        /** @description A password, 1 to 1024 characters on the wire (the policy allows 15 to 256 for new passwords). */
        Password: string;
        /** @description A 6-digit TOTP code, or one of the recovery codes. */
        OneTimeCode: string;
        OidcStart: {
            /** Format: uri */
            authorizationUrl: string;
        };
        OidcCallback: {
            code: string;
            state: string;
            /** @description The `iss` parameter of the authorization response (RFC 9207), when the provider sends it. */
            iss?: string;
        };
        OidcLocalFactor: {
            code: components["schemas"]["OneTimeCode"];
        };
        OidcIdentity: {
            /** Format: uri */
            issuer: string;
            subject: string;
        };
        PasswordSignIn: {
            username: string;
            password: components["schemas"]["Password"];
            code: components["schemas"]["OneTimeCode"];
        };
        PasswordStepUp: {
            password: components["schemas"]["Password"];
            code: components["schemas"]["OneTimeCode"];
        };
        PasswordChange: {
            password: components["schemas"]["Password"];
        };
        /** @description A WebAuthn object in its JSON form (W3C WebAuthn Level 3), passed to or from the browser unchanged. */
        WebAuthnJson: {
            [key: string]: unknown;
        };
        PasskeyChallenge: {
            /** Format: uuid */
            challengeId: string;
            publicKey: components["schemas"]["WebAuthnJson"];
        };
        PasskeyResponse: {
            /** Format: uuid */
            challengeId: string;
            credential: components["schemas"]["WebAuthnJson"];
        };
        PasskeyRegistration: {
            /** Format: uuid */
            challengeId: string;
            name?: string;
            credential: components["schemas"]["WebAuthnJson"];
        };
        EnrolmentToken: {
            /** @description The fragment of the enrolment link. */
            token: string;
        };
        Enrolment: {
            username: components["schemas"]["Username"];
            roles: components["schemas"]["UserRole"][];
            /** @description The factors this person may enrol (`passkey` only, for operators and auditors). */
            methods: ("passkey" | "password")[];
            /** Format: date-time */
            expiresAt: string;
        };
        PasskeyEnrolment: {
            token: string;
            /** Format: uuid */
            challengeId: string;
            name?: string;
            credential: components["schemas"]["WebAuthnJson"];
        };
        TotpSetup: {
            /** @description The TOTP secret in base32 (RFC 4648, no padding). */
            secret: string;
            /** @description The same secret as an `otpauth://totp/` URI, for a QR code. */
            otpauthUri: string;
        };
        PasswordEnrolment: {
            token: string;
            password: components["schemas"]["Password"];
            totpCode: string;
        };
        /** @description A single-use recovery code (seven groups of four characters; about 140 bits). */
        RecoveryCode: string;
        RecoveryCodes: {
            recoveryCodes: components["schemas"]["RecoveryCode"][];
        };
        Enrolled: {
            signedIn: components["schemas"]["SessionInfo"];
            recoveryCodes: components["schemas"]["RecoveryCode"][];
        };
        Preferences: {
            locale: components["schemas"]["ConsoleLocale"];
        };
        /**
         * @description `invited` until the person completes enrolment; `disabled` by an operator.
         * @enum {string}
         */
        UserStatus: "invited" | "active" | "disabled";
        UserFactors: {
            passkeys: number;
            password: boolean;
            totp: boolean;
            recoveryCodesLeft: number;
        };
        /** @description An account as operators see it. Never a secret, a hash or an address. */
        User: {
            /** Format: uuid */
            id: string;
            username: components["schemas"]["Username"];
            roles: components["schemas"]["UserRole"][];
            status: components["schemas"]["UserStatus"];
            /** @description Sign-in is throttled after repeated failures (see `unlockUser`). */
            locked: boolean;
            factors: components["schemas"]["UserFactors"];
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            lastSignInAt: string | null;
        };
        UserList: {
            items: components["schemas"]["User"][];
        };
        UserRoles: {
            roles: components["schemas"]["UserRole"][];
        };
        UserCreate: {
            username: components["schemas"]["Username"];
            roles: components["schemas"]["UserRole"][];
        };
        EnrolmentLink: {
            /** @description `<console URL>/enrol#<token>`: the token is in the fragment, which browsers never send to a server. */
            url: string;
            /** Format: date-time */
            expiresAt: string;
        };
        UserCreated: {
            user: components["schemas"]["User"];
            enrolment: components["schemas"]["EnrolmentLink"];
        };
    };
    responses: {
        /**
         * @description The request does not match the contract (`validation_failed`); `errors` lists each failing field. Every
         *     string in a body, a query or a path, and every property name, must be text the contract can carry: one
         *     holding a NUL character or an unpaired surrogate (which JSON can spell as `\u0000` or `\ud800`) is
         *     refused here, whatever the field.
         */
        ValidationFailed: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:validation_failed",
                 *       "title": "Validation failed",
                 *       "status": 400,
                 *       "code": "validation_failed",
                 *       "detail": "The request has 2 invalid fields.",
                 *       "instance": "/v1/referrals",
                 *       "requestId": "req-7f3a2c90",
                 *       "errors": [
                 *         {
                 *           "path": "/services/1",
                 *           "message": "must be one of the service codes"
                 *         },
                 *         {
                 *           "path": "/consent/validUntil",
                 *           "message": "must be an RFC 3339 date-time with offset"
                 *         }
                 *       ]
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The bearer token is missing, malformed, expired or revoked (`unauthorized`). */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:unauthorized",
                 *       "title": "Unauthorized",
                 *       "status": 401,
                 *       "code": "unauthorized",
                 *       "detail": "The bearer token has expired.",
                 *       "requestId": "req-7f3a2c94"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The token is valid but lacks the scope this operation needs (`forbidden`); `requiredScopes` names it. */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:forbidden",
                 *       "title": "Forbidden",
                 *       "status": 403,
                 *       "code": "forbidden",
                 *       "detail": "the token lacks the scope this operation needs: \"referrals:write\"",
                 *       "requestId": "req-7f3a2c95",
                 *       "requiredScopes": [
                 *         "referrals:write"
                 *       ]
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The token is valid but lacks the `admin` scope (`forbidden`, with `requiredScopes` [admin]). */
        AdminForbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:forbidden",
                 *       "title": "Forbidden",
                 *       "status": 403,
                 *       "code": "forbidden",
                 *       "detail": "the token lacks the scope this operation needs: \"admin\"",
                 *       "requestId": "req-3e8b1d42",
                 *       "requiredScopes": [
                 *         "admin"
                 *       ]
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The token is valid but lacks the `audit:read` scope (`forbidden`, with `requiredScopes` [audit:read]). */
        AuditForbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:forbidden",
                 *       "title": "Forbidden",
                 *       "status": 403,
                 *       "code": "forbidden",
                 *       "detail": "the token lacks the scope this operation needs: \"audit:read\"",
                 *       "requestId": "req-3e8b1d43",
                 *       "requiredScopes": [
                 *         "audit:read"
                 *       ]
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The `Idempotency-Key` was already used by this client with a different payload (`idempotency_key_reused`). */
        IdempotencyKeyReused: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:idempotency_key_reused",
                 *       "title": "Idempotency key reused",
                 *       "status": 422,
                 *       "code": "idempotency_key_reused",
                 *       "detail": "This Idempotency-Key was already used with a different request payload.",
                 *       "requestId": "req-7f3a2c9a"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description A note on a referral whose personal data was erased (`consent_not_valid`), or an `Idempotency-Key`
         *     reused with another payload (`idempotency_key_reused`).
         */
        NoteRefused: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:consent_not_valid",
                 *       "title": "Consent not valid",
                 *       "status": 422,
                 *       "code": "consent_not_valid",
                 *       "detail": "The person's data was erased: a status change can carry no note.",
                 *       "requestId": "req-7f3a2ca4"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The referral after the change; its `referral.status` message is queued for delivery to the peer. */
        ReferralStatusChanged: {
            headers: {
                "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "id": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
                 *       "direction": "inbound",
                 *       "peer": "atina",
                 *       "status": "completed",
                 *       "services": [
                 *         "SAFE_ACCOMMODATION",
                 *         "SAFE_RETURN"
                 *       ],
                 *       "urgency": "URGENT",
                 *       "personCategory": "TRAFFICKING_VICTIM",
                 *       "phase": "RETURN",
                 *       "risk": {
                 *         "level": "HIGH",
                 *         "threats": [
                 *           "TRAFFICKER_CONTACT",
                 *           "RETRAFFICKING"
                 *         ]
                 *       },
                 *       "person": {
                 *         "pseudonym": "Zn3f0NFxvO0xueLgikQHBik4YtO1ucfeCRAvJttq4ZE",
                 *         "givenName": "Dritë",
                 *         "familyName": "Krasniqi-Çeliku",
                 *         "ageBand": "18-25",
                 *         "gender": "FEMALE",
                 *         "languages": [
                 *           "sq",
                 *           "sr-Latn"
                 *         ]
                 *       },
                 *       "consent": {
                 *         "givenAt": "2025-03-14T08:45:00+01:00",
                 *         "method": "WRITTEN",
                 *         "language": "sq",
                 *         "recipient": "pvpt",
                 *         "services": [
                 *           "SAFE_ACCOMMODATION",
                 *           "SAFE_RETURN"
                 *         ],
                 *         "dataCategories": [
                 *           "IDENTITY",
                 *           "AGE",
                 *           "GENDER",
                 *           "LANGUAGE",
                 *           "CASE_NOTES"
                 *         ],
                 *         "validUntil": "2025-09-14T00:00:00Z",
                 *         "legalBasis": "CONSENT",
                 *         "recordedBy": "staff-0017"
                 *       },
                 *       "createdAt": "2025-03-14T09:30:05Z",
                 *       "updatedAt": "2025-04-02T16:00:00Z",
                 *       "responseDueAt": "2025-03-16T09:30:05Z",
                 *       "overdue": false,
                 *       "history": [
                 *         {
                 *           "status": "requested",
                 *           "at": "2025-03-14T09:30:00Z",
                 *           "by": "atina"
                 *         },
                 *         {
                 *           "status": "received",
                 *           "at": "2025-03-14T09:30:05Z",
                 *           "by": "pvpt"
                 *         },
                 *         {
                 *           "status": "accepted",
                 *           "at": "2025-03-14T15:10:00Z",
                 *           "by": "pvpt"
                 *         },
                 *         {
                 *           "status": "in-progress",
                 *           "at": "2025-03-17T09:00:00Z",
                 *           "by": "pvpt",
                 *           "note": "Smeštaj obezbeđen od 17. marta."
                 *         },
                 *         {
                 *           "status": "completed",
                 *           "at": "2025-04-02T16:00:00Z",
                 *           "by": "pvpt",
                 *           "reason": "SERVICE_PROVIDED"
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["Referral"];
            };
        };
        /** @description No referral with this id (or no such question) exists on this node (`not_found`). */
        ReferralNotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:not_found",
                 *       "title": "Not found",
                 *       "status": 404,
                 *       "code": "not_found",
                 *       "detail": "Referral 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40 does not exist.",
                 *       "requestId": "req-7f3a2ca1"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description The status lifecycle does not allow this change from the referral's current status, or this node is not
         *     the party that may set it (`illegal_transition`); or a request with the same `Idempotency-Key` is still
         *     being processed (`idempotency_key_in_use`).
         */
        IllegalTransition: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:illegal_transition",
                 *       "title": "Illegal transition",
                 *       "status": 409,
                 *       "code": "illegal_transition",
                 *       "detail": "a received referral cannot become completed",
                 *       "requestId": "req-7f3a2ca2"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description The referral is not in a state that allows this: the wrong side or an unanswerable question
         *     (`illegal_transition`), fields released before acceptance (`referral_not_accepted`), or a request with the
         *     same `Idempotency-Key` still being processed (`idempotency_key_in_use`).
         */
        ReferralConflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:referral_not_accepted",
                 *       "title": "Referral not accepted",
                 *       "status": 409,
                 *       "code": "referral_not_accepted",
                 *       "detail": "Further fields can be released only after the receiver accepted the referral.",
                 *       "requestId": "req-7f3a2ca2"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description A field or text outside the disclosure profiles ∩ consent (`disclosure_not_allowed`), a revoked or
         *     expired consent (`consent_not_valid`), or an `Idempotency-Key` reused with another payload
         *     (`idempotency_key_reused`).
         */
        DisclosureRefused: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:disclosure_not_allowed",
                 *       "title": "Disclosure not allowed",
                 *       "status": 422,
                 *       "code": "disclosure_not_allowed",
                 *       "detail": "Not allowed by the profiles and consent of this referral: nationality.",
                 *       "requestId": "req-7f3a2ca3"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description A client error, for example `rate_limited` (429). */
        ClientError: {
            headers: {
                /**
                 * @description On a 429 `rate_limited`, the number of seconds to wait before trying again.
                 * @example 30
                 */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:rate_limited",
                 *       "title": "Too many requests",
                 *       "status": 429,
                 *       "code": "rate_limited",
                 *       "detail": "Retry after 30 seconds.",
                 *       "requestId": "req-1c0d9e42"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No session cookie, or the session has ended, timed out (idle or absolute) or belongs to a disabled account (`unauthorized`). */
        SessionRequired: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:unauthorized",
                 *       "title": "Unauthorized",
                 *       "status": 401,
                 *       "code": "unauthorized",
                 *       "detail": "sign in to continue",
                 *       "requestId": "req-9a1b2c01"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description This node has no identity provider configured (`oidc_not_configured`). */
        OidcNotConfigured: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:oidc_not_configured",
                 *       "title": "Oidc not configured",
                 *       "status": 404,
                 *       "code": "oidc_not_configured",
                 *       "detail": "this node has no identity provider configured",
                 *       "requestId": "req-9a1b2c31"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description The sign-in failed (`sign_in_failed`, the same answer whatever the reason), or the identity provider did not
         *     show a second factor and the person must give a local one-time code (`local_factor_required`).
         */
        OidcSignInFailed: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:local_factor_required",
                 *       "title": "Local factor required",
                 *       "status": 401,
                 *       "code": "local_factor_required",
                 *       "detail": "the identity provider did not confirm a second factor; enter a one-time code",
                 *       "requestId": "req-9a1b2c32"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The identity is already linked to another account (`conflict`). */
        OidcIdentityTaken: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:conflict",
                 *       "title": "Conflict",
                 *       "status": 409,
                 *       "code": "conflict",
                 *       "detail": "this identity is linked to another account",
                 *       "requestId": "req-9a1b2c33"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The sign-in or step-up failed (`sign_in_failed`). The same answer whatever the reason. */
        SignInFailed: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:sign_in_failed",
                 *       "title": "Sign-in failed",
                 *       "status": 401,
                 *       "code": "sign_in_failed",
                 *       "detail": "the sign-in details are not correct",
                 *       "requestId": "req-9a1b2c02"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description A state-changing request without the session's `X-CSRF-Token`, with another session's token, or sent
         *     cross-site (`Sec-Fetch-Site: cross-site`, or an `Origin` other than the console's) (`csrf_rejected`).
         */
        CsrfRejected: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:csrf_rejected",
                 *       "title": "Forbidden",
                 *       "status": 403,
                 *       "code": "csrf_rejected",
                 *       "detail": "the request lacks this session's CSRF token",
                 *       "requestId": "req-9a1b2c03"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description The session lacks a step-up within the last 5 minutes (`step_up_required`: confirm with
         *     `stepUpWithPasskey` or `stepUpWithPassword`, then retry), or lacks the operation's scope (`forbidden`), or
         *     the request failed the CSRF checks (`csrf_rejected`), or it would change one's own account (`own_account`).
         */
        StepUpRequired: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Too many attempts for this account or from this address (`rate_limited`); `Retry-After` says when to try again. */
        TooManyAttempts: {
            headers: {
                /** @description Seconds to wait. */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:rate_limited",
                 *       "title": "Too many requests",
                 *       "status": 429,
                 *       "code": "rate_limited",
                 *       "detail": "too many attempts; try again later",
                 *       "requestId": "req-9a1b2c06"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No such account, session or passkey (`not_found`). */
        AccountNotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:not_found",
                 *       "title": "Not found",
                 *       "status": 404,
                 *       "code": "not_found",
                 *       "detail": "not found",
                 *       "requestId": "req-9a1b2c07"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description The password is refused (`password_rejected`): shorter than 15 or longer than 256 characters, on the list of
         *     common and breached passwords, or made of the username or the organisation's name. `errors` says which.
         */
        PasswordRejected: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:password_rejected",
                 *       "title": "Password rejected",
                 *       "status": 422,
                 *       "code": "password_rejected",
                 *       "detail": "choose another password",
                 *       "requestId": "req-9a1b2c08",
                 *       "errors": [
                 *         {
                 *           "path": "/password",
                 *           "message": "too_common"
                 *         }
                 *       ]
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The passkey could not be verified (`passkey_invalid`), for example without user verification or for another origin. */
        PasskeyInvalid: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:passkey_invalid",
                 *       "title": "Passkey invalid",
                 *       "status": 422,
                 *       "code": "passkey_invalid",
                 *       "detail": "the passkey could not be verified",
                 *       "requestId": "req-9a1b2c09"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Operators and auditors must enrol a passkey (`passkey_required`). */
        PasskeyRequired: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:passkey_required",
                 *       "title": "Passkey required",
                 *       "status": 422,
                 *       "code": "passkey_required",
                 *       "detail": "this role must use a passkey",
                 *       "requestId": "req-9a1b2c0a"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The change would leave the account without a way to sign in, or an operator or auditor without a passkey (`last_factor`). */
        LastFactor: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:last_factor",
                 *       "title": "Conflict",
                 *       "status": 409,
                 *       "code": "last_factor",
                 *       "detail": "this is the last factor of the account",
                 *       "requestId": "req-9a1b2c0b"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The enrolment link is unknown, already used or expired (`enrolment_invalid`); an operator can issue a new one. */
        EnrolmentInvalid: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:enrolment_invalid",
                 *       "title": "Gone",
                 *       "status": 410,
                 *       "code": "enrolment_invalid",
                 *       "detail": "this enrolment link is no longer valid",
                 *       "requestId": "req-9a1b2c0c"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Another account has this username (`conflict`). */
        UsernameTaken: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:conflict",
                 *       "title": "Conflict",
                 *       "status": 409,
                 *       "code": "conflict",
                 *       "detail": "the username is taken",
                 *       "requestId": "req-9a1b2c0d"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The roles are empty or combine `operator` or `auditor` with `case_worker` or `supervisor` (`roles_invalid`). */
        RolesInvalid: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:bridge:problem:roles_invalid",
                 *       "title": "Roles invalid",
                 *       "status": 422,
                 *       "code": "roles_invalid",
                 *       "detail": "operator and case_worker cannot be held together",
                 *       "requestId": "req-9a1b2c0e"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: {
        /**
         * @description The account id.
         * @example 0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01
         */
        UserId: string;
        /**
         * @description Makes a retry safe. A request repeated with the same key and the same payload is not executed again:
         *     the stored response (status and body) is replayed. The same key while the first request is still
         *     being processed is answered 409 `idempotency_key_in_use`; the same key with a different payload is
         *     answered 422 `idempotency_key_reused`. Keys are scoped to the client (the bearer token's client) and
         *     kept for at least 24 hours. Printable ASCII without spaces, at most 255 characters; a UUID is a good
         *     choice.
         * @example 5f0c6a2e-8d1b-4b7a-9e3c-2a4d6f8b0c1e
         */
        IdempotencyKey: string;
        /**
         * @description Only events at or after this time.
         * @example 2025-03-14T00:00:00Z
         */
        AuditFrom: string;
        /**
         * @description Only events before this time.
         * @example 2025-03-15T00:00:00Z
         */
        AuditTo: string;
        /**
         * @description Only events about this referral.
         * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
         */
        AuditReferralId: string;
        /**
         * @description Only events about this message.
         * @example 0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11
         */
        AuditMessageId: string;
        /**
         * @description Only events involving this peer.
         * @example pvpt
         */
        AuditPeer: components["schemas"]["NodeId"];
        /**
         * @description Only events of this type.
         * @example message.received
         */
        AuditType: string;
        /**
         * @description Only events by this actor (a client id, a peer node id, `system` or `operator:<node>`).
         * @example system
         */
        AuditActor: string;
        /**
         * @description The referral id (shared by both nodes).
         * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
         */
        ReferralId: string;
    };
    requestBodies: never;
    headers: {
        /**
         * @description `true` when this response is the stored answer to an earlier request with the same `Idempotency-Key`; `false` when the request was executed now.
         * @example false
         */
        IdempotentReplayed: "true" | "false";
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listReferrals: {
        parameters: {
            query?: {
                /**
                 * @description Only referrals in this direction.
                 * @example inbound
                 */
                direction?: "inbound" | "outbound";
                /**
                 * @description Only referrals with this current status.
                 * @example accepted
                 */
                status?: components["schemas"]["ReferralStatus"];
                /**
                 * @description With `true`, only referrals still waiting for an answer (requested or received) past their response deadline; with `false`, only the others.
                 * @example true
                 */
                overdue?: boolean;
                /**
                 * @description Maximum number of referrals in the page.
                 * @example 50
                 */
                limit?: number;
                /**
                 * @description Opaque cursor from the `nextCursor` of the previous page.
                 * @example eyJjcmVhdGVkQXQiOiIyMDI1LTAzLTE0VDA5OjMwOjAwWiJ9
                 */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of referrals. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "0192f3de-11b0-7f2a-8c45-9a0d6e2b7c13",
                     *           "direction": "inbound",
                     *           "peer": "pvpt",
                     *           "status": "accepted",
                     *           "services": [
                     *             "PSYCHOLOGICAL_COUNSELLING",
                     *             "LEGAL_COUNSELLING"
                     *           ],
                     *           "urgency": "ROUTINE",
                     *           "personCategory": "GBV_VICTIM",
                     *           "phase": "FIRST_ASSISTANCE",
                     *           "risk": {
                     *             "level": "MEDIUM",
                     *             "threats": [
                     *               "PERPETRATOR_CONTACT",
                     *               "STALKING"
                     *             ]
                     *           },
                     *           "person": {
                     *             "pseudonym": "8PVmD1iC4-rzT6p1X5pY1a1Ssdpl-mUIdfXLYEA2f8E",
                     *             "givenName": "Јелена",
                     *             "familyName": "Петровић",
                     *             "ageBand": "26-35",
                     *             "gender": "FEMALE",
                     *             "languages": [
                     *               "sr-Cyrl"
                     *             ]
                     *           },
                     *           "consent": {
                     *             "givenAt": "2025-03-10T15:20:00+01:00",
                     *             "method": "VERBAL_WITNESSED",
                     *             "language": "sr-Cyrl",
                     *             "recipient": "atina",
                     *             "services": [
                     *               "PSYCHOLOGICAL_COUNSELLING",
                     *               "LEGAL_COUNSELLING"
                     *             ],
                     *             "dataCategories": [
                     *               "IDENTITY",
                     *               "AGE",
                     *               "GENDER",
                     *               "LANGUAGE"
                     *             ],
                     *             "validUntil": "2025-12-31T23:59:59Z",
                     *             "legalBasis": "CONSENT",
                     *             "recordedBy": "staff-0008",
                     *             "witness": "staff-0031"
                     *           },
                     *           "note": "Клијенткиња тражи саветовање на српском језику, по могућству у Београду.",
                     *           "createdAt": "2025-03-10T15:42:11Z",
                     *           "updatedAt": "2025-03-11T08:05:37Z",
                     *           "responseDueAt": "2025-03-20T15:42:11Z",
                     *           "overdue": false,
                     *           "history": [
                     *             {
                     *               "status": "requested",
                     *               "at": "2025-03-10T15:42:11Z",
                     *               "by": "pvpt"
                     *             },
                     *             {
                     *               "status": "received",
                     *               "at": "2025-03-10T15:42:12Z",
                     *               "by": "atina"
                     *             },
                     *             {
                     *               "status": "accepted",
                     *               "at": "2025-03-11T08:05:37Z",
                     *               "by": "atina",
                     *               "note": "Прво саветовање заказано за 13. март."
                     *             }
                     *           ]
                     *         }
                     *       ],
                     *       "nextCursor": "eyJjcmVhdGVkQXQiOiIyMDI1LTAzLTEwVDE1OjQyOjExWiJ9"
                     *     }
                     */
                    "application/json": components["schemas"]["ReferralList"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    createReferral: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes a retry safe. A request repeated with the same key and the same payload is not executed again:
                 *     the stored response (status and body) is replayed. The same key while the first request is still
                 *     being processed is answered 409 `idempotency_key_in_use`; the same key with a different payload is
                 *     answered 422 `idempotency_key_reused`. Keys are scoped to the client (the bearer token's client) and
                 *     kept for at least 24 hours. Printable ASCII without spaces, at most 255 characters; a UUID is a good
                 *     choice.
                 * @example 5f0c6a2e-8d1b-4b7a-9e3c-2a4d6f8b0c1e
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReferralCreate"];
            };
        };
        responses: {
            /** @description The referral was created and its request message queued for delivery. */
            201: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
                     *       "direction": "outbound",
                     *       "peer": "pvpt",
                     *       "status": "requested",
                     *       "services": [
                     *         "SAFE_ACCOMMODATION",
                     *         "SAFE_RETURN",
                     *         "PSYCHOSOCIAL_SUPPORT"
                     *       ],
                     *       "urgency": "URGENT",
                     *       "personCategory": "TRAFFICKING_VICTIM",
                     *       "phase": "RETURN",
                     *       "risk": {
                     *         "level": "HIGH",
                     *         "threats": [
                     *           "TRAFFICKER_CONTACT",
                     *           "RETRAFFICKING"
                     *         ]
                     *       },
                     *       "person": {
                     *         "localId": "ATN-2025-0142",
                     *         "pseudonym": "Zn3f0NFxvO0xueLgikQHBik4YtO1ucfeCRAvJttq4ZE",
                     *         "givenName": "Drita",
                     *         "familyName": "Krasniqi",
                     *         "ageBand": "18-25",
                     *         "birthDate": "2003-06-21",
                     *         "gender": "FEMALE",
                     *         "languages": [
                     *           "sq",
                     *           "sr-Latn"
                     *         ],
                     *         "accompanyingChildren": 1,
                     *         "urgentHealthNeeds": "Shtatzënë në muajin e pestë; ka nevojë për kontroll gjinekologjik.",
                     *         "nationality": "XK",
                     *         "documentNumber": "P01234567"
                     *       },
                     *       "consent": {
                     *         "givenAt": "2025-03-14T08:45:00+01:00",
                     *         "method": "WRITTEN",
                     *         "language": "sq",
                     *         "recipient": "pvpt",
                     *         "services": [
                     *           "SAFE_ACCOMMODATION",
                     *           "SAFE_RETURN",
                     *           "PSYCHOSOCIAL_SUPPORT"
                     *         ],
                     *         "dataCategories": [
                     *           "IDENTITY",
                     *           "AGE",
                     *           "GENDER",
                     *           "LANGUAGE",
                     *           "FAMILY",
                     *           "HEALTH"
                     *         ],
                     *         "validUntil": "2030-09-14T00:00:00Z",
                     *         "legalBasis": "CONSENT",
                     *         "recordedBy": "staff-0017"
                     *       },
                     *       "note": "Korisnica želi povratak porodici u Gjakovë; pratnja do administrativne linije je obezbeđena.",
                     *       "createdAt": "2025-03-14T09:30:00Z",
                     *       "updatedAt": "2025-03-14T09:30:00Z",
                     *       "responseDueAt": "2025-03-16T09:30:00Z",
                     *       "overdue": false,
                     *       "history": [
                     *         {
                     *           "status": "requested",
                     *           "at": "2025-03-14T09:30:00Z",
                     *           "by": "atina"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["Referral"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description The recipient is not a known peer of this node (`peer_unknown`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:peer_unknown",
                     *       "title": "Unknown peer",
                     *       "status": 404,
                     *       "code": "peer_unknown",
                     *       "detail": "No peer with nodeId \"shelter-prizren\" has been onboarded on this node.",
                     *       "instance": "/v1/referrals",
                     *       "requestId": "req-7f3a2c91"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /**
             * @description The recipient is known but not `active` (pending, suspended or revoked) (`peer_not_active`), or a
             *     request with the same `Idempotency-Key` is still being processed (`idempotency_key_in_use`).
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            422: components["responses"]["IdempotencyKeyReused"];
        };
    };
    getReferral: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The referral id (shared by both nodes).
                 * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
                 */
                referralId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The referral. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
                     *       "direction": "outbound",
                     *       "peer": "pvpt",
                     *       "status": "received",
                     *       "services": [
                     *         "SAFE_ACCOMMODATION",
                     *         "SAFE_RETURN",
                     *         "PSYCHOSOCIAL_SUPPORT"
                     *       ],
                     *       "urgency": "URGENT",
                     *       "personCategory": "TRAFFICKING_VICTIM",
                     *       "phase": "RETURN",
                     *       "risk": {
                     *         "level": "HIGH",
                     *         "threats": [
                     *           "TRAFFICKER_CONTACT",
                     *           "RETRAFFICKING"
                     *         ]
                     *       },
                     *       "person": {
                     *         "localId": "ATN-2025-0142",
                     *         "pseudonym": "Zn3f0NFxvO0xueLgikQHBik4YtO1ucfeCRAvJttq4ZE",
                     *         "givenName": "Drita",
                     *         "familyName": "Krasniqi",
                     *         "ageBand": "18-25",
                     *         "gender": "FEMALE",
                     *         "languages": [
                     *           "sq",
                     *           "sr-Latn"
                     *         ],
                     *         "accompanyingChildren": 1,
                     *         "urgentHealthNeeds": "Shtatzënë në muajin e pestë; ka nevojë për kontroll gjinekologjik."
                     *       },
                     *       "consent": {
                     *         "givenAt": "2025-03-14T08:45:00+01:00",
                     *         "method": "WRITTEN",
                     *         "language": "sq",
                     *         "recipient": "pvpt",
                     *         "services": [
                     *           "SAFE_ACCOMMODATION",
                     *           "SAFE_RETURN",
                     *           "PSYCHOSOCIAL_SUPPORT"
                     *         ],
                     *         "dataCategories": [
                     *           "IDENTITY",
                     *           "AGE",
                     *           "GENDER",
                     *           "LANGUAGE",
                     *           "FAMILY",
                     *           "HEALTH"
                     *         ],
                     *         "validUntil": "2025-09-14T00:00:00Z",
                     *         "legalBasis": "CONSENT",
                     *         "recordedBy": "staff-0017"
                     *       },
                     *       "createdAt": "2025-03-14T09:30:00Z",
                     *       "updatedAt": "2025-03-14T09:30:05Z",
                     *       "responseDueAt": "2025-03-16T09:30:00Z",
                     *       "overdue": false,
                     *       "history": [
                     *         {
                     *           "status": "requested",
                     *           "at": "2025-03-14T09:30:00Z",
                     *           "by": "atina"
                     *         },
                     *         {
                     *           "status": "received",
                     *           "at": "2025-03-14T09:30:05Z",
                     *           "by": "pvpt"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["Referral"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description No referral with this id exists on this node. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:not_found",
                     *       "title": "Not found",
                     *       "status": 404,
                     *       "code": "not_found",
                     *       "detail": "Referral 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40 does not exist.",
                     *       "instance": "/v1/referrals/0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
                     *       "requestId": "req-7f3a2c93"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    withdrawReferral: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes a retry safe. A request repeated with the same key and the same payload is not executed again:
                 *     the stored response (status and body) is replayed. The same key while the first request is still
                 *     being processed is answered 409 `idempotency_key_in_use`; the same key with a different payload is
                 *     answered 422 `idempotency_key_reused`. Keys are scoped to the client (the bearer token's client) and
                 *     kept for at least 24 hours. Printable ASCII without spaces, at most 255 characters; a UUID is a good
                 *     choice.
                 * @example 5f0c6a2e-8d1b-4b7a-9e3c-2a4d6f8b0c1e
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /**
                 * @description The referral id (shared by both nodes).
                 * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
                 */
                referralId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WithdrawReferral"];
            };
        };
        responses: {
            /** @description The referral was cancelled and its `referral.withdraw` message queued for delivery. */
            200: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
                     *       "direction": "outbound",
                     *       "peer": "pvpt",
                     *       "status": "cancelled",
                     *       "services": [
                     *         "SAFE_ACCOMMODATION",
                     *         "SAFE_RETURN",
                     *         "PSYCHOSOCIAL_SUPPORT"
                     *       ],
                     *       "urgency": "URGENT",
                     *       "personCategory": "TRAFFICKING_VICTIM",
                     *       "phase": "RETURN",
                     *       "risk": {
                     *         "level": "HIGH",
                     *         "threats": [
                     *           "TRAFFICKER_CONTACT",
                     *           "RETRAFFICKING"
                     *         ]
                     *       },
                     *       "person": {
                     *         "localId": "ATN-2025-0142",
                     *         "pseudonym": "Zn3f0NFxvO0xueLgikQHBik4YtO1ucfeCRAvJttq4ZE",
                     *         "givenName": "Drita",
                     *         "familyName": "Krasniqi",
                     *         "ageBand": "18-25",
                     *         "gender": "FEMALE",
                     *         "languages": [
                     *           "sq",
                     *           "sr-Latn"
                     *         ]
                     *       },
                     *       "consent": {
                     *         "givenAt": "2025-03-14T08:45:00+01:00",
                     *         "method": "WRITTEN",
                     *         "language": "sq",
                     *         "recipient": "pvpt",
                     *         "services": [
                     *           "SAFE_ACCOMMODATION",
                     *           "SAFE_RETURN",
                     *           "PSYCHOSOCIAL_SUPPORT"
                     *         ],
                     *         "dataCategories": [
                     *           "IDENTITY",
                     *           "AGE",
                     *           "GENDER",
                     *           "LANGUAGE",
                     *           "FAMILY",
                     *           "HEALTH"
                     *         ],
                     *         "validUntil": "2025-09-14T00:00:00Z",
                     *         "legalBasis": "CONSENT",
                     *         "recordedBy": "staff-0017"
                     *       },
                     *       "createdAt": "2025-03-14T09:30:00Z",
                     *       "updatedAt": "2025-03-16T11:20:00Z",
                     *       "responseDueAt": "2025-03-16T09:30:00Z",
                     *       "overdue": false,
                     *       "history": [
                     *         {
                     *           "status": "requested",
                     *           "at": "2025-03-14T09:30:00Z",
                     *           "by": "atina"
                     *         },
                     *         {
                     *           "status": "received",
                     *           "at": "2025-03-14T09:30:05Z",
                     *           "by": "pvpt"
                     *         },
                     *         {
                     *           "status": "cancelled",
                     *           "at": "2025-03-16T11:20:00Z",
                     *           "by": "atina",
                     *           "reason": "PERSON_DECLINED",
                     *           "note": "Korisnica je odlučila da ostane u Beogradu."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["Referral"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description No referral with this id exists on this node (`not_found`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:not_found",
                     *       "title": "Not found",
                     *       "status": 404,
                     *       "code": "not_found",
                     *       "detail": "Referral 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40 does not exist.",
                     *       "instance": "/v1/referrals/0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40/withdraw",
                     *       "requestId": "req-7f3a2c97"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /**
             * @description The referral is inbound or already final and cannot be withdrawn (`illegal_transition`), or a
             *     request with the same `Idempotency-Key` is still being processed (`idempotency_key_in_use`).
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            422: components["responses"]["IdempotencyKeyReused"];
        };
    };
    listEvents: {
        parameters: {
            query?: {
                /**
                 * @description Opaque cursor from the `nextCursor` of the previous page; absent to start at the beginning. A cursor
                 *     this node did not hand out (altered, or past the end of its feed, e.g. after a restore from an older
                 *     backup) is refused with `validation_failed`.
                 * @example c2VxLjQyMTE
                 */
                after?: string;
                /**
                 * @description Maximum number of events in the page.
                 * @example 100
                 */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of events, oldest first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "0192f4a1-7c41-7b02-8e11-3a4b5c6d7e8f",
                     *           "type": "referral.created",
                     *           "occurredAt": "2025-03-14T09:30:00Z",
                     *           "referralId": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
                     *           "direction": "outbound",
                     *           "peer": "pvpt",
                     *           "status": "requested"
                     *         },
                     *         {
                     *           "id": "0192f4a1-7f90-7c13-9d22-4b5c6d7e8f90",
                     *           "type": "referral.message_delivered",
                     *           "occurredAt": "2025-03-14T09:30:01Z",
                     *           "referralId": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
                     *           "direction": "outbound",
                     *           "peer": "pvpt",
                     *           "status": "received",
                     *           "messageId": "0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11",
                     *           "messageType": "referral.request"
                     *         },
                     *         {
                     *           "id": "0192f4a1-7f91-7d24-8e33-5c6d7e8f9001",
                     *           "type": "referral.status_changed",
                     *           "occurredAt": "2025-03-14T09:30:01Z",
                     *           "referralId": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
                     *           "direction": "outbound",
                     *           "peer": "pvpt",
                     *           "status": "received",
                     *           "previousStatus": "requested"
                     *         }
                     *       ],
                     *       "nextCursor": "c2VxLjQyMTQ"
                     *     }
                     */
                    "application/json": components["schemas"]["EventPage"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    listWebhookSubscriptions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every active subscription. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "0192f4a2-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
                     *           "url": "https://cases.atina.example/bridge/webhook",
                     *           "eventTypes": [
                     *             "referral.status_changed",
                     *             "referral.received"
                     *           ],
                     *           "createdAt": "2025-03-14T09:00:00Z"
                     *         },
                     *         {
                     *           "id": "0192f4a2-2b3c-7d4e-9f50-6b7c8d9e0f1a",
                     *           "url": "https://cases.atina.example/bridge/all",
                     *           "eventTypes": null,
                     *           "createdAt": "2025-03-14T09:05:00Z"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["WebhookSubscriptionList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["AdminForbidden"];
        };
    };
    createWebhookSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookSubscriptionCreate"];
            };
        };
        responses: {
            /** @description The subscription, with its secret (shown this once). */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0192f4a2-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
                     *       "url": "https://cases.atina.example/bridge/webhook",
                     *       "eventTypes": [
                     *         "referral.status_changed",
                     *         "referral.received"
                     *       ],
                     *       "createdAt": "2025-03-14T09:00:00Z",
                     *       "secret": "whsec_C2iL0jFQ4bNt4MBwNUaX9sP2nQbqYbM2b0mE1xF4ZxQ="
                     *     }
                     */
                    "application/json": components["schemas"]["WebhookSubscriptionCreated"];
                };
            };
            /**
             * @description The request does not match the contract (`validation_failed`), or the URL points where this node
             *     does not send webhooks (`webhook_target_forbidden`: not https, a host that does not resolve, or
             *     one that resolves to a loopback, link-local, private, unique-local or otherwise non-public address).
             */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["AdminForbidden"];
        };
    };
    deleteWebhookSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The subscription id.
                 * @example 0192f4a2-1a2b-7c3d-8e4f-5a6b7c8d9e0f
                 */
                subscriptionId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The subscription is deleted. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["AdminForbidden"];
            /** @description No active subscription with this id (`not_found`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:not_found",
                     *       "title": "Not found",
                     *       "status": 404,
                     *       "code": "not_found",
                     *       "detail": "webhook subscription not found",
                     *       "instance": "/v1/webhooks/0192f4a2-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
                     *       "requestId": "req-5a1c2d3e"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    acceptReferral: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes a retry safe. A request repeated with the same key and the same payload is not executed again:
                 *     the stored response (status and body) is replayed. The same key while the first request is still
                 *     being processed is answered 409 `idempotency_key_in_use`; the same key with a different payload is
                 *     answered 422 `idempotency_key_reused`. Keys are scoped to the client (the bearer token's client) and
                 *     kept for at least 24 hours. Printable ASCII without spaces, at most 255 characters; a UUID is a good
                 *     choice.
                 * @example 5f0c6a2e-8d1b-4b7a-9e3c-2a4d6f8b0c1e
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /**
                 * @description The referral id (shared by both nodes).
                 * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
                 */
                referralId: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "note": "Prvi razgovor je zakazan za 17. mart u Prištini."
                 *     }
                 */
                "application/json": components["schemas"]["TransitionNote"];
            };
        };
        responses: {
            200: components["responses"]["ReferralStatusChanged"];
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["ReferralNotFound"];
            409: components["responses"]["IllegalTransition"];
            422: components["responses"]["NoteRefused"];
        };
    };
    rejectReferral: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes a retry safe. A request repeated with the same key and the same payload is not executed again:
                 *     the stored response (status and body) is replayed. The same key while the first request is still
                 *     being processed is answered 409 `idempotency_key_in_use`; the same key with a different payload is
                 *     answered 422 `idempotency_key_reused`. Keys are scoped to the client (the bearer token's client) and
                 *     kept for at least 24 hours. Printable ASCII without spaces, at most 255 characters; a UUID is a good
                 *     choice.
                 * @example 5f0c6a2e-8d1b-4b7a-9e3c-2a4d6f8b0c1e
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /**
                 * @description The referral id (shared by both nodes).
                 * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
                 */
                referralId: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "reason": "NO_CAPACITY",
                 *       "note": "Sva mesta u sigurnoj kući su trenutno popunjena."
                 *     }
                 */
                "application/json": components["schemas"]["RejectReferral"];
            };
        };
        responses: {
            200: components["responses"]["ReferralStatusChanged"];
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["ReferralNotFound"];
            409: components["responses"]["IllegalTransition"];
            422: components["responses"]["NoteRefused"];
        };
    };
    startReferral: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes a retry safe. A request repeated with the same key and the same payload is not executed again:
                 *     the stored response (status and body) is replayed. The same key while the first request is still
                 *     being processed is answered 409 `idempotency_key_in_use`; the same key with a different payload is
                 *     answered 422 `idempotency_key_reused`. Keys are scoped to the client (the bearer token's client) and
                 *     kept for at least 24 hours. Printable ASCII without spaces, at most 255 characters; a UUID is a good
                 *     choice.
                 * @example 5f0c6a2e-8d1b-4b7a-9e3c-2a4d6f8b0c1e
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /**
                 * @description The referral id (shared by both nodes).
                 * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
                 */
                referralId: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "note": "Smeštaj obezbeđen od 17. marta."
                 *     }
                 */
                "application/json": components["schemas"]["TransitionNote"];
            };
        };
        responses: {
            200: components["responses"]["ReferralStatusChanged"];
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["ReferralNotFound"];
            409: components["responses"]["IllegalTransition"];
            422: components["responses"]["NoteRefused"];
        };
    };
    holdReferral: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes a retry safe. A request repeated with the same key and the same payload is not executed again:
                 *     the stored response (status and body) is replayed. The same key while the first request is still
                 *     being processed is answered 409 `idempotency_key_in_use`; the same key with a different payload is
                 *     answered 422 `idempotency_key_reused`. Keys are scoped to the client (the bearer token's client) and
                 *     kept for at least 24 hours. Printable ASCII without spaces, at most 255 characters; a UUID is a good
                 *     choice.
                 * @example 5f0c6a2e-8d1b-4b7a-9e3c-2a4d6f8b0c1e
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /**
                 * @description The referral id (shared by both nodes).
                 * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
                 */
                referralId: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "note": "Čeka se izdavanje putnog lista."
                 *     }
                 */
                "application/json": components["schemas"]["TransitionNote"];
            };
        };
        responses: {
            200: components["responses"]["ReferralStatusChanged"];
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["ReferralNotFound"];
            409: components["responses"]["IllegalTransition"];
            422: components["responses"]["NoteRefused"];
        };
    };
    completeReferral: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes a retry safe. A request repeated with the same key and the same payload is not executed again:
                 *     the stored response (status and body) is replayed. The same key while the first request is still
                 *     being processed is answered 409 `idempotency_key_in_use`; the same key with a different payload is
                 *     answered 422 `idempotency_key_reused`. Keys are scoped to the client (the bearer token's client) and
                 *     kept for at least 24 hours. Printable ASCII without spaces, at most 255 characters; a UUID is a good
                 *     choice.
                 * @example 5f0c6a2e-8d1b-4b7a-9e3c-2a4d6f8b0c1e
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /**
                 * @description The referral id (shared by both nodes).
                 * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
                 */
                referralId: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "outcome": "SERVICE_PROVIDED",
                 *       "note": "Bezbedan povratak porodici u Gjakovë."
                 *     }
                 */
                "application/json": components["schemas"]["CompleteReferral"];
            };
        };
        responses: {
            200: components["responses"]["ReferralStatusChanged"];
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["ReferralNotFound"];
            409: components["responses"]["IllegalTransition"];
            422: components["responses"]["NoteRefused"];
        };
    };
    failReferral: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes a retry safe. A request repeated with the same key and the same payload is not executed again:
                 *     the stored response (status and body) is replayed. The same key while the first request is still
                 *     being processed is answered 409 `idempotency_key_in_use`; the same key with a different payload is
                 *     answered 422 `idempotency_key_reused`. Keys are scoped to the client (the bearer token's client) and
                 *     kept for at least 24 hours. Printable ASCII without spaces, at most 255 characters; a UUID is a good
                 *     choice.
                 * @example 5f0c6a2e-8d1b-4b7a-9e3c-2a4d6f8b0c1e
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /**
                 * @description The referral id (shared by both nodes).
                 * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
                 */
                referralId: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "note": "Kontakt sa korisnicom je izgubljen."
                 *     }
                 */
                "application/json": components["schemas"]["TransitionNote"];
            };
        };
        responses: {
            200: components["responses"]["ReferralStatusChanged"];
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["ReferralNotFound"];
            409: components["responses"]["IllegalTransition"];
            422: components["responses"]["NoteRefused"];
        };
    };
    markReferralEnteredInError: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes a retry safe. A request repeated with the same key and the same payload is not executed again:
                 *     the stored response (status and body) is replayed. The same key while the first request is still
                 *     being processed is answered 409 `idempotency_key_in_use`; the same key with a different payload is
                 *     answered 422 `idempotency_key_reused`. Keys are scoped to the client (the bearer token's client) and
                 *     kept for at least 24 hours. Printable ASCII without spaces, at most 255 characters; a UUID is a good
                 *     choice.
                 * @example 5f0c6a2e-8d1b-4b7a-9e3c-2a4d6f8b0c1e
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /**
                 * @description The referral id (shared by both nodes).
                 * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
                 */
                referralId: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "note": "Uput je poslat za pogrešnu osobu."
                 *     }
                 */
                "application/json": components["schemas"]["TransitionNote"];
            };
        };
        responses: {
            200: components["responses"]["ReferralStatusChanged"];
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["ReferralNotFound"];
            409: components["responses"]["IllegalTransition"];
            422: components["responses"]["NoteRefused"];
        };
    };
    getCodeLists: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The code lists. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "services": [
                     *         {
                     *           "code": "SAFE_ACCOMMODATION",
                     *           "labels": {
                     *             "en": "Safe accommodation",
                     *             "sr-Latn": "Bezbedan smeštaj",
                     *             "sr-Cyrl": "Безбедан смештај",
                     *             "sq": "Strehim i sigurt"
                     *           }
                     *         }
                     *       ],
                     *       "personCategories": [
                     *         {
                     *           "code": "GBV_VICTIM",
                     *           "labels": {
                     *             "en": "Victim of gender-based violence",
                     *             "sr-Latn": "Žrtva rodno zasnovanog nasilja",
                     *             "sr-Cyrl": "Жртва родно заснованог насиља",
                     *             "sq": "Viktimë e dhunës me bazë gjinore"
                     *           }
                     *         }
                     *       ],
                     *       "phases": [
                     *         {
                     *           "code": "RETURN",
                     *           "labels": {
                     *             "en": "Return",
                     *             "sr-Latn": "Povratak",
                     *             "sr-Cyrl": "Повратак",
                     *             "sq": "Kthimi"
                     *           }
                     *         }
                     *       ],
                     *       "urgencies": [
                     *         {
                     *           "code": "URGENT",
                     *           "labels": {
                     *             "en": "Urgent",
                     *             "sr-Latn": "Hitno",
                     *             "sr-Cyrl": "Хитно",
                     *             "sq": "Urgjente"
                     *           }
                     *         }
                     *       ],
                     *       "rejectionReasons": [
                     *         {
                     *           "code": "NO_CAPACITY",
                     *           "labels": {
                     *             "en": "No capacity",
                     *             "sr-Latn": "Nema slobodnih kapaciteta",
                     *             "sr-Cyrl": "Нема слободних капацитета",
                     *             "sq": "Nuk ka kapacitete të lira"
                     *           }
                     *         }
                     *       ],
                     *       "outcomes": [
                     *         {
                     *           "code": "SERVICE_PROVIDED",
                     *           "labels": {
                     *             "en": "Service provided",
                     *             "sr-Latn": "Usluga pružena",
                     *             "sr-Cyrl": "Услуга пружена",
                     *             "sq": "Shërbimi u ofrua"
                     *           }
                     *         }
                     *       ],
                     *       "riskThreats": [
                     *         {
                     *           "code": "RETRAFFICKING",
                     *           "labels": {
                     *             "en": "Risk of re-trafficking",
                     *             "sr-Latn": "Rizik od ponovnog trgovanja",
                     *             "sr-Cyrl": "Ризик од поновног трговања",
                     *             "sq": "Rrezik i ritrafikimit"
                     *           }
                     *         }
                     *       ],
                     *       "riskLevels": [
                     *         {
                     *           "code": "HIGH",
                     *           "labels": {
                     *             "en": "High",
                     *             "sr-Latn": "Visok",
                     *             "sr-Cyrl": "Висок",
                     *             "sq": "I lartë"
                     *           }
                     *         }
                     *       ],
                     *       "dataCategories": [
                     *         {
                     *           "code": "HEALTH",
                     *           "labels": {
                     *             "en": "Health",
                     *             "sr-Latn": "Zdravlje",
                     *             "sr-Cyrl": "Здравље",
                     *             "sq": "Shëndeti"
                     *           }
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["CodeLists"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    discloseReferral: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes a retry safe. A request repeated with the same key and the same payload is not executed again:
                 *     the stored response (status and body) is replayed. The same key while the first request is still
                 *     being processed is answered 409 `idempotency_key_in_use`; the same key with a different payload is
                 *     answered 422 `idempotency_key_reused`. Keys are scoped to the client (the bearer token's client) and
                 *     kept for at least 24 hours. Printable ASCII without spaces, at most 255 characters; a UUID is a good
                 *     choice.
                 * @example 5f0c6a2e-8d1b-4b7a-9e3c-2a4d6f8b0c1e
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /**
                 * @description The referral id (shared by both nodes).
                 * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
                 */
                referralId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "fields": [
                 *         "documentNumber",
                 *         "birthDate"
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["DiscloseFields"];
            };
        };
        responses: {
            /** @description The fields were queued for the peer in a `referral.disclose` message. */
            200: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Referral"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["ReferralNotFound"];
            409: components["responses"]["ReferralConflict"];
            422: components["responses"]["DisclosureRefused"];
        };
    };
    revokeConsent: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes a retry safe. A request repeated with the same key and the same payload is not executed again:
                 *     the stored response (status and body) is replayed. The same key while the first request is still
                 *     being processed is answered 409 `idempotency_key_in_use`; the same key with a different payload is
                 *     answered 422 `idempotency_key_reused`. Keys are scoped to the client (the bearer token's client) and
                 *     kept for at least 24 hours. Printable ASCII without spaces, at most 255 characters; a UUID is a good
                 *     choice.
                 * @example 5f0c6a2e-8d1b-4b7a-9e3c-2a4d6f8b0c1e
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /**
                 * @description The referral id (shared by both nodes).
                 * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
                 */
                referralId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RevokeConsent"];
            };
        };
        responses: {
            /** @description The revocation was recorded and its `consent.revoke` message queued. */
            200: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Referral"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["ReferralNotFound"];
            409: components["responses"]["ReferralConflict"];
            422: components["responses"]["DisclosureRefused"];
        };
    };
    listInfoRequests: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The referral id (shared by both nodes).
                 * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
                 */
                referralId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The questions and answers. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "0192f4b0-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
                     *           "askedBy": "pvpt",
                     *           "askedAt": "2025-03-15T10:00:00Z",
                     *           "question": "Ka nevojë për përkthyes gjatë pranimit?",
                     *           "answeredBy": "atina",
                     *           "answeredAt": "2025-03-15T11:30:00Z",
                     *           "answer": "Da, govori albanski i malo srpski."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["InfoRequestList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["ReferralNotFound"];
        };
    };
    createInfoRequest: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes a retry safe. A request repeated with the same key and the same payload is not executed again:
                 *     the stored response (status and body) is replayed. The same key while the first request is still
                 *     being processed is answered 409 `idempotency_key_in_use`; the same key with a different payload is
                 *     answered 422 `idempotency_key_reused`. Keys are scoped to the client (the bearer token's client) and
                 *     kept for at least 24 hours. Printable ASCII without spaces, at most 255 characters; a UUID is a good
                 *     choice.
                 * @example 5f0c6a2e-8d1b-4b7a-9e3c-2a4d6f8b0c1e
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /**
                 * @description The referral id (shared by both nodes).
                 * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
                 */
                referralId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "text": "Ka nevojë për përkthyes gjatë pranimit?"
                 *     }
                 */
                "application/json": components["schemas"]["InfoText"];
            };
        };
        responses: {
            /** @description The question was recorded and queued for the peer. */
            201: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0192f4b0-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
                     *       "askedBy": "pvpt",
                     *       "askedAt": "2025-03-15T10:00:00Z",
                     *       "question": "Ka nevojë për përkthyes gjatë pranimit?"
                     *     }
                     */
                    "application/json": components["schemas"]["InfoRequest"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["ReferralNotFound"];
            409: components["responses"]["ReferralConflict"];
            422: components["responses"]["DisclosureRefused"];
        };
    };
    answerInfoRequest: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes a retry safe. A request repeated with the same key and the same payload is not executed again:
                 *     the stored response (status and body) is replayed. The same key while the first request is still
                 *     being processed is answered 409 `idempotency_key_in_use`; the same key with a different payload is
                 *     answered 422 `idempotency_key_reused`. Keys are scoped to the client (the bearer token's client) and
                 *     kept for at least 24 hours. Printable ASCII without spaces, at most 255 characters; a UUID is a good
                 *     choice.
                 * @example 5f0c6a2e-8d1b-4b7a-9e3c-2a4d6f8b0c1e
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /**
                 * @description The referral id (shared by both nodes).
                 * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
                 */
                referralId: string;
                /**
                 * @description The question id (shared by both nodes).
                 * @example 0192f4b0-1a2b-7c3d-8e4f-5a6b7c8d9e0f
                 */
                questionId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "text": "Da, govori albanski i malo srpski."
                 *     }
                 */
                "application/json": components["schemas"]["InfoText"];
            };
        };
        responses: {
            /** @description The answer was recorded and queued for the peer. */
            200: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0192f4b0-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
                     *       "askedBy": "pvpt",
                     *       "askedAt": "2025-03-15T10:00:00Z",
                     *       "question": "Ka nevojë për përkthyes gjatë pranimit?",
                     *       "answeredBy": "atina",
                     *       "answeredAt": "2025-03-15T11:30:00Z",
                     *       "answer": "Da, govori albanski i malo srpski."
                     *     }
                     */
                    "application/json": components["schemas"]["InfoRequest"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["ReferralNotFound"];
            409: components["responses"]["ReferralConflict"];
            422: components["responses"]["DisclosureRefused"];
        };
    };
    getDisclosureProfiles: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The profiles, one per service code. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "SAFE_ACCOMMODATION": {
                     *         "onRequest": [
                     *           "givenName",
                     *           "ageBand",
                     *           "gender",
                     *           "languages",
                     *           "accompanyingChildren",
                     *           "urgentHealthNeeds",
                     *           "note"
                     *         ],
                     *         "afterAcceptance": [
                     *           "familyName"
                     *         ]
                     *       },
                     *       "PRIMARY_MEDICAL_CARE": {
                     *         "onRequest": [
                     *           "givenName",
                     *           "ageBand",
                     *           "gender",
                     *           "languages",
                     *           "urgentHealthNeeds",
                     *           "note"
                     *         ],
                     *         "afterAcceptance": [
                     *           "familyName",
                     *           "birthDate"
                     *         ]
                     *       },
                     *       "MEDICAL_SPECIALIST_REFERRAL": {
                     *         "onRequest": [
                     *           "givenName",
                     *           "ageBand",
                     *           "gender",
                     *           "languages",
                     *           "urgentHealthNeeds",
                     *           "note"
                     *         ],
                     *         "afterAcceptance": [
                     *           "familyName",
                     *           "birthDate"
                     *         ]
                     *       },
                     *       "HEALTH_EDUCATION": {
                     *         "onRequest": [
                     *           "givenName",
                     *           "ageBand",
                     *           "gender",
                     *           "languages",
                     *           "note"
                     *         ],
                     *         "afterAcceptance": []
                     *       },
                     *       "PSYCHOSOCIAL_SUPPORT": {
                     *         "onRequest": [
                     *           "givenName",
                     *           "ageBand",
                     *           "gender",
                     *           "languages",
                     *           "accompanyingChildren",
                     *           "note"
                     *         ],
                     *         "afterAcceptance": []
                     *       },
                     *       "PSYCHOLOGICAL_COUNSELLING": {
                     *         "onRequest": [
                     *           "givenName",
                     *           "ageBand",
                     *           "gender",
                     *           "languages",
                     *           "urgentHealthNeeds",
                     *           "note"
                     *         ],
                     *         "afterAcceptance": []
                     *       },
                     *       "LEGAL_COUNSELLING": {
                     *         "onRequest": [
                     *           "givenName",
                     *           "familyName",
                     *           "ageBand",
                     *           "gender",
                     *           "languages",
                     *           "nationality",
                     *           "note"
                     *         ],
                     *         "afterAcceptance": [
                     *           "birthDate"
                     *         ]
                     *       },
                     *       "PSYCHOTHERAPY": {
                     *         "onRequest": [
                     *           "givenName",
                     *           "ageBand",
                     *           "gender",
                     *           "languages",
                     *           "urgentHealthNeeds",
                     *           "note"
                     *         ],
                     *         "afterAcceptance": []
                     *       },
                     *       "EDUCATION_AND_VOCATIONAL_TRAINING": {
                     *         "onRequest": [
                     *           "givenName",
                     *           "ageBand",
                     *           "languages",
                     *           "note"
                     *         ],
                     *         "afterAcceptance": [
                     *           "familyName",
                     *           "birthDate"
                     *         ]
                     *       },
                     *       "EMPOWERMENT": {
                     *         "onRequest": [
                     *           "givenName",
                     *           "ageBand",
                     *           "gender",
                     *           "languages",
                     *           "note"
                     *         ],
                     *         "afterAcceptance": []
                     *       },
                     *       "FAMILY_MEDIATION": {
                     *         "onRequest": [
                     *           "givenName",
                     *           "ageBand",
                     *           "languages",
                     *           "accompanyingChildren",
                     *           "note"
                     *         ],
                     *         "afterAcceptance": [
                     *           "familyName"
                     *         ]
                     *       },
                     *       "SOCIAL_AND_ECONOMIC_REINTEGRATION": {
                     *         "onRequest": [
                     *           "givenName",
                     *           "ageBand",
                     *           "gender",
                     *           "languages",
                     *           "accompanyingChildren",
                     *           "nationality",
                     *           "note"
                     *         ],
                     *         "afterAcceptance": [
                     *           "familyName",
                     *           "birthDate"
                     *         ]
                     *       },
                     *       "LEGAL_STATUS_AND_DOCUMENTS": {
                     *         "onRequest": [
                     *           "givenName",
                     *           "familyName",
                     *           "birthDate",
                     *           "gender",
                     *           "languages",
                     *           "nationality",
                     *           "note"
                     *         ],
                     *         "afterAcceptance": [
                     *           "documentNumber"
                     *         ]
                     *       },
                     *       "SUPPORT_IN_PROCEEDINGS": {
                     *         "onRequest": [
                     *           "givenName",
                     *           "familyName",
                     *           "ageBand",
                     *           "gender",
                     *           "languages",
                     *           "nationality",
                     *           "note"
                     *         ],
                     *         "afterAcceptance": [
                     *           "birthDate",
                     *           "documentNumber"
                     *         ]
                     *       },
                     *       "SAFE_RETURN": {
                     *         "onRequest": [
                     *           "givenName",
                     *           "familyName",
                     *           "ageBand",
                     *           "gender",
                     *           "languages",
                     *           "accompanyingChildren",
                     *           "urgentHealthNeeds",
                     *           "nationality",
                     *           "note"
                     *         ],
                     *         "afterAcceptance": [
                     *           "birthDate",
                     *           "documentNumber"
                     *         ]
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["DisclosureProfiles"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    receiveMessage: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /** @example eyJhbGciOiJFQ0RILUVTK0EyNTZLVyIsImVuYyI6IkEyNTZHQ00iLCJjdHkiOiJKV1QiLCJraWQiOiJwdnB0LWVuYy0yMDI1LTAxIiwiZXBrIjp7Imt0eSI6Ik9LUCIsImNydiI6IlgyNTUxOSIsIngiOiJ2TVpxZF9yeUhhOVRtcUg3SUxNTmdOWE1EYjBGQkpmWWJ5OGhFbmFTdFJJIn19.pja5ox0lRrrmt4E1RfZxMeKysOl4eEs3V76j-E_sUxs3esx2ESaQ6w.x-m9Cy1YQb71G7i-.94senOpa2Cqwvx8hkCITt6RPrWVWvoyu1_pkUnyBjpFZw__6Gbf4_d0Xuy5sWRVnIkcnpkm7flRsEo407CKWEd-yfEF5sGrd-Z5clfvKKMRScqEsP9-dJvjeS4IuejgMl3-HFLvkTdXltsMWvIDbLgqwg8rhPA4qO0dicOnYhoAWcAG0jqkLAW2sCxT9MDu8PvBKUUmNELOr_l0GxwQcXJgiKLp_RU96XCJvOij4Eky2Iuyt.l1wWD55BD9LZtc8QNUmEoA */
                "application/jose": components["schemas"]["CompactJwe"];
            };
        };
        responses: {
            /** @description The message was delivered (or had already been delivered); the signed receipt proves it. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "receipt": "eyJhbGciOiJFZERTQSIsInR5cCI6ImJyaWRnZS1yZWNlaXB0K2p3dCIsImtpZCI6InB2cHQtc2lnLTIwMjUtMDEifQ.eyJpc3MiOiJwdnB0IiwiYXVkIjoiYXRpbmEiLCJpYXQiOjE3NDE5NDQ2MDUsImp0aSI6IjAxOTJmNGExLTdkOWEtN2UwNS1hM2I3LTYxYzJkODRlMGY1MiIsIm1lc3NhZ2VJZCI6IjAxOTJmNGExLTdkMDItN2M0NC04ZTYxLTJmMGE5YjdjM2QxMSIsImRpZ2VzdCI6InNoYS0yNTY6VDRPOXpnZzFQQlJFTnNES0FvdUVnNEVrbzY2WFl1alFVYmNtVXh5V1p6dyIsImxvZ0luZGV4IjoxODQyfQ.jU5axtW8F2hotG4RIiocq5UJU0FVHY-2MpaqerHtp3euUV2GRYgvJTriIrYGXC7PMpagZV-MfgayPERI7jKNAw"
                     *     }
                     */
                    "application/json": components["schemas"]["ReceiptResponse"];
                };
            };
            /**
             * @description The message was refused before or during decryption: `message_malformed`, `message_header_forbidden`
             *     (`zip`, `jku`, `x5u`, ...), `message_algorithm_forbidden`, `message_decrypt_failed` or
             *     `message_stale` (`iat` outside the acceptance window).
             */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The signature does not verify (`message_signature_invalid`) or its `kid` is unknown even after re-fetching the peer's pinned JWKS (`message_key_unknown`); over TLS, no client certificate was presented (`unauthorized`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:message_signature_invalid",
                     *       "title": "Message signature invalid",
                     *       "status": 401,
                     *       "code": "message_signature_invalid",
                     *       "detail": "The JWS signature does not verify with the signing keys pinned for peer \"pvpt\".",
                     *       "requestId": "req-5b21e0ac"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The sender is unknown (`peer_unknown`) or not active (`peer_not_active`), `aud` is not this node (`message_audience_mismatch`), or the JWS signer is not `iss` (`message_issuer_mismatch`). Over TLS, the client certificate must be pinned for an active peer (else `peer_unknown` or `peer_not_active`), and `iss` must be that peer (else `message_issuer_mismatch`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:message_audience_mismatch",
                     *       "title": "Message audience mismatch",
                     *       "status": 403,
                     *       "code": "message_audience_mismatch",
                     *       "detail": "The message is addressed to \"shelter-prizren\", not to this node.",
                     *       "requestId": "req-5b21e0ad"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The same `jti` was delivered before with different content (`message_replay_conflict`), or `seq`/`prev` do not follow the last applied message of the referral (`message_out_of_order`). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:message_out_of_order",
                     *       "title": "Message out of order",
                     *       "status": 409,
                     *       "code": "message_out_of_order",
                     *       "detail": "Expected seq 3 for this referral, got seq 5.",
                     *       "requestId": "req-5b21e0ae"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is larger than the node's message size limit (`payload_too_large`). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:payload_too_large",
                     *       "title": "Payload too large",
                     *       "status": 413,
                     *       "code": "payload_too_large",
                     *       "detail": "Messages are limited to 262144 bytes.",
                     *       "requestId": "req-5b21e0af"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/jose` (`unsupported_media_type`). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:unsupported_media_type",
                     *       "title": "Unsupported media type",
                     *       "status": 415,
                     *       "code": "unsupported_media_type",
                     *       "detail": "Messages must be sent as application/jose.",
                     *       "requestId": "req-5b21e0b0"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The claims or the body fail their schema (a string or property name holding a NUL character or an unpaired surrogate included) or do not apply to a referral of this sender (`message_body_invalid`); the body discloses a field outside the disclosure profiles ∩ consent (`disclosure_not_allowed`); a `referral.disclose` arrives before acceptance (`referral_not_accepted`); or the referral's consent was revoked or has expired (`consent_not_valid`). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:message_body_invalid",
                     *       "title": "Message body invalid",
                     *       "status": 422,
                     *       "code": "message_body_invalid",
                     *       "detail": "The body discloses \"documentNumber\", which no requested service needs.",
                     *       "requestId": "req-5b21e0b1",
                     *       "errors": [
                     *         {
                     *           "path": "/body/person/documentNumber",
                     *           "message": "field not allowed by the disclosure profiles of the requested services"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getNodeMetadata: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The node metadata. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "nodeId": "atina",
                     *       "name": "Удружење грађана Атина",
                     *       "jurisdiction": "RS",
                     *       "contractVersions": [
                     *         "1"
                     *       ],
                     *       "urls": {
                     *         "api": "http://localhost:4100/v1",
                     *         "messages": "http://localhost:4100/federation/v1/messages",
                     *         "jwks": "http://localhost:4100/.well-known/jwks.json"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["NodeMetadata"];
                };
            };
            "4XX": components["responses"]["ClientError"];
        };
    };
    getJwks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The JSON Web Key Set. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "keys": [
                     *         {
                     *           "kty": "OKP",
                     *           "crv": "Ed25519",
                     *           "x": "11U2ZwZGUmwlPhxS8OHJHa_-29rPyrROpZkds5bS_gU",
                     *           "kid": "atina-sig-2025-01",
                     *           "use": "sig",
                     *           "alg": "EdDSA",
                     *           "purpose": "signing",
                     *           "validFrom": "2025-01-01T00:00:00Z",
                     *           "validUntil": null
                     *         },
                     *         {
                     *           "kty": "OKP",
                     *           "crv": "Ed25519",
                     *           "x": "XIyao9uf28Pgow-8k5TO5aQuXggAs-nYGzlwv13aQg0",
                     *           "kid": "atina-sig-2024-01",
                     *           "use": "sig",
                     *           "alg": "EdDSA",
                     *           "purpose": "signing",
                     *           "validFrom": "2024-01-01T00:00:00Z",
                     *           "validUntil": "2025-01-01T00:00:00Z"
                     *         },
                     *         {
                     *           "kty": "OKP",
                     *           "crv": "X25519",
                     *           "x": "YhCoxtCUkHtRwU8MgrR9lIfOJ7RprHE2eBA60YBJSn0",
                     *           "kid": "atina-enc-2025-01",
                     *           "use": "enc",
                     *           "alg": "ECDH-ES+A256KW",
                     *           "purpose": "encryption",
                     *           "validFrom": "2025-01-01T00:00:00Z"
                     *         },
                     *         {
                     *           "kty": "OKP",
                     *           "crv": "Ed25519",
                     *           "x": "dV5M0msVqZyc7n_zyERuQB18lbGEBSktUuDOq5WbzoM",
                     *           "kid": "atina-log-2025-01",
                     *           "use": "sig",
                     *           "alg": "EdDSA",
                     *           "purpose": "log",
                     *           "validFrom": "2025-01-01T00:00:00Z"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["Jwks"];
                };
            };
            "4XX": components["responses"]["ClientError"];
        };
    };
    listOutboxMessages: {
        parameters: {
            query?: {
                /**
                 * @description Only messages with this delivery status.
                 * @example dead
                 */
                status?: components["schemas"]["OutboxStatus"];
                /**
                 * @description Only messages addressed to this peer.
                 * @example pvpt
                 */
                peer?: components["schemas"]["NodeId"];
                /**
                 * @description Maximum number of messages in the page.
                 * @example 50
                 */
                limit?: number;
                /**
                 * @description Opaque cursor from the `nextCursor` of the previous page.
                 * @example eyJjcmVhdGVkQXQiOiIyMDI1LTAzLTE0VDA5OjMwOjAwWiJ9
                 */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of outbox messages. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11",
                     *           "peer": "pvpt",
                     *           "referralId": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
                     *           "type": "referral.request",
                     *           "seq": 1,
                     *           "status": "dead",
                     *           "attempts": 12,
                     *           "lastError": "peer_not_active",
                     *           "nextAttemptAt": "2025-03-15T09:30:00Z",
                     *           "deadlineAt": "2025-03-15T09:30:00Z",
                     *           "createdAt": "2025-03-14T09:30:00Z",
                     *           "deliveredAt": null
                     *         },
                     *         {
                     *           "id": "0192f4a1-8a10-7b21-9c3d-4e5f6a7b8c9d",
                     *           "peer": "pvpt",
                     *           "referralId": null,
                     *           "type": "ping",
                     *           "seq": 1,
                     *           "status": "delivered",
                     *           "attempts": 1,
                     *           "lastError": null,
                     *           "nextAttemptAt": "2025-03-14T09:00:00Z",
                     *           "deadlineAt": "2025-03-15T09:00:00Z",
                     *           "createdAt": "2025-03-14T09:00:00Z",
                     *           "deliveredAt": "2025-03-14T09:00:01Z"
                     *         }
                     *       ],
                     *       "nextCursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["OutboxMessageList"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["AdminForbidden"];
        };
    };
    resendOutboxMessage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The outbox message id (the `jti` of the message).
                 * @example 0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11
                 */
                messageId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The message was queued again. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11",
                     *       "peer": "pvpt",
                     *       "referralId": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
                     *       "type": "referral.request",
                     *       "seq": 1,
                     *       "status": "queued",
                     *       "attempts": 0,
                     *       "lastError": "peer_not_active",
                     *       "nextAttemptAt": "2025-03-16T08:00:00Z",
                     *       "deadlineAt": "2025-03-17T08:00:00Z",
                     *       "createdAt": "2025-03-14T09:30:00Z",
                     *       "deliveredAt": null
                     *     }
                     */
                    "application/json": components["schemas"]["OutboxMessage"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["AdminForbidden"];
            /** @description No outbox message with this id exists on this node (`not_found`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:not_found",
                     *       "title": "Not found",
                     *       "status": 404,
                     *       "code": "not_found",
                     *       "detail": "Outbox message 0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11 does not exist.",
                     *       "instance": "/admin/v1/outbox/0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11/resend",
                     *       "requestId": "req-3e8b1d40"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The message is not `dead` (`conflict`); only a dead message can be resent. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "code": "conflict",
                     *       "detail": "Outbox message 0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11 is retrying; only a dead message can be resent.",
                     *       "instance": "/admin/v1/outbox/0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11/resend",
                     *       "requestId": "req-3e8b1d41"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    discardOutboxMessage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The outbox message id (the `jti` of the message).
                 * @example 0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11
                 */
                messageId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "reason": "REFUSED_BY_PEER"
                 *     }
                 */
                "application/json": components["schemas"]["OutboxDiscard"];
            };
        };
        responses: {
            /** @description The message was discarded; the later messages of its referral are due. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11",
                     *       "peer": "pvpt",
                     *       "referralId": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
                     *       "type": "referral.info-request",
                     *       "seq": 3,
                     *       "status": "discarded",
                     *       "attempts": 1,
                     *       "lastError": "consent_not_valid",
                     *       "nextAttemptAt": "2025-03-16T08:00:00Z",
                     *       "deadlineAt": "2025-03-21T08:00:00Z",
                     *       "createdAt": "2025-03-14T09:30:00Z",
                     *       "deliveredAt": null
                     *     }
                     */
                    "application/json": components["schemas"]["OutboxMessage"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["AdminForbidden"];
            /** @description No outbox message with this id exists on this node (`not_found`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:not_found",
                     *       "title": "Not found",
                     *       "status": 404,
                     *       "code": "not_found",
                     *       "detail": "message not found",
                     *       "instance": "/admin/v1/outbox/0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11/discard",
                     *       "requestId": "req-3e8b1d42"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The message is not `dead` (`conflict`); only a dead message can be discarded. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "code": "conflict",
                     *       "detail": "only a dead message can be discarded; this one is retrying",
                     *       "instance": "/admin/v1/outbox/0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11/discard",
                     *       "requestId": "req-3e8b1d43"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    searchAuditEvents: {
        parameters: {
            query?: {
                /**
                 * @description Only events at or after this time.
                 * @example 2025-03-14T00:00:00Z
                 */
                from?: components["parameters"]["AuditFrom"];
                /**
                 * @description Only events before this time.
                 * @example 2025-03-15T00:00:00Z
                 */
                to?: components["parameters"]["AuditTo"];
                /**
                 * @description Only events about this referral.
                 * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
                 */
                referralId?: components["parameters"]["AuditReferralId"];
                /**
                 * @description Only events about this message.
                 * @example 0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11
                 */
                messageId?: components["parameters"]["AuditMessageId"];
                /**
                 * @description Only events involving this peer.
                 * @example pvpt
                 */
                peer?: components["parameters"]["AuditPeer"];
                /**
                 * @description Only events of this type.
                 * @example message.received
                 */
                type?: components["parameters"]["AuditType"];
                /**
                 * @description Only events by this actor (a client id, a peer node id, `system` or `operator:<node>`).
                 * @example system
                 */
                actor?: components["parameters"]["AuditActor"];
                /**
                 * @description Maximum number of events in the page.
                 * @example 100
                 */
                limit?: number;
                /**
                 * @description Opaque cursor from the `nextCursor` of the previous page.
                 * @example WyIyMDI1LTAzLTE0VDA5OjMwOjAwLjAwMFoiLDE4NDJd
                 */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of audit events. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "idx": 1842,
                     *           "leafIndex": 1840,
                     *           "at": "2025-03-14T09:30:05.123456Z",
                     *           "type": "message.received",
                     *           "actor": "atina",
                     *           "peerNodeId": "atina",
                     *           "referralId": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
                     *           "messageId": "0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11",
                     *           "digest": "sha-256:T4O9zgg1PBRENsDKAouEg4Eko66XYujQUbcmUxyWZzw",
                     *           "detail": {
                     *             "messageType": "referral.request",
                     *             "seq": 1
                     *           }
                     *         }
                     *       ],
                     *       "nextCursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["AuditEventList"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["AuditForbidden"];
        };
    };
    getAuditEventProof: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The event id (`idx`; a receipt's `logIndex`).
                 * @example 1842
                 */
                eventId: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The event and its inclusion proof. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "event": {
                     *         "idx": 1842,
                     *         "leafIndex": 1840,
                     *         "at": "2025-03-14T09:30:05.123456Z",
                     *         "type": "message.received",
                     *         "actor": "atina",
                     *         "peerNodeId": "atina",
                     *         "referralId": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
                     *         "messageId": "0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11",
                     *         "digest": "sha-256:T4O9zgg1PBRENsDKAouEg4Eko66XYujQUbcmUxyWZzw",
                     *         "detail": null
                     *       },
                     *       "leafIndex": 1840,
                     *       "checkpoint": {
                     *         "treeSize": 1841,
                     *         "rootHash": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
                     *         "issuedAt": "2025-03-14T09:31:00Z",
                     *         "checkpoint": "eyJhbGciOiJFZERTQSIsInR5cCI6ImJyaWRnZS1jaGVja3BvaW50K2p3dCJ9.eyJpc3MiOiJwdnB0In0.c2ln"
                     *       },
                     *       "proof": [
                     *         "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["AuditEventProof"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["AuditForbidden"];
            /** @description No audit event with this id, or it is not sequenced yet (`not_found`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:not_found",
                     *       "title": "Not found",
                     *       "status": 404,
                     *       "code": "not_found",
                     *       "detail": "audit event not found",
                     *       "requestId": "req-3e8b1d50"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAuditConsistencyProof: {
        parameters: {
            query: {
                /**
                 * @description Tree size of the older checkpoint.
                 * @example 1200
                 */
                fromSize: number;
                /**
                 * @description Tree size of the newer checkpoint.
                 * @example 1841
                 */
                toSize: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Both checkpoints and the proof. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "from": {
                     *         "treeSize": 1200,
                     *         "rootHash": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
                     *         "issuedAt": "2025-03-14T08:00:00Z",
                     *         "checkpoint": "eyJhbGciOiJFZERTQSIsInR5cCI6ImJyaWRnZS1jaGVja3BvaW50K2p3dCJ9.eyJpc3MiOiJwdnB0In0.c2ln"
                     *       },
                     *       "to": {
                     *         "treeSize": 1841,
                     *         "rootHash": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
                     *         "issuedAt": "2025-03-14T09:31:00Z",
                     *         "checkpoint": "eyJhbGciOiJFZERTQSIsInR5cCI6ImJyaWRnZS1jaGVja3BvaW50K2p3dCJ9.eyJpc3MiOiJwdnB0In0.c2ln"
                     *       },
                     *       "proof": [
                     *         "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["AuditConsistencyProof"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["AuditForbidden"];
            /** @description This node signed no checkpoint of one of the sizes (`not_found`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:not_found",
                     *       "title": "Not found",
                     *       "status": 404,
                     *       "code": "not_found",
                     *       "detail": "checkpoint not found",
                     *       "requestId": "req-3e8b1d51"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    exportAuditLog: {
        parameters: {
            query?: {
                /**
                 * @description NDJSON (one JSON object per line) or CSV.
                 * @example ndjson
                 */
                format?: "ndjson" | "csv";
                /**
                 * @description Only events at or after this time.
                 * @example 2025-03-14T00:00:00Z
                 */
                from?: components["parameters"]["AuditFrom"];
                /**
                 * @description Only events before this time.
                 * @example 2025-03-15T00:00:00Z
                 */
                to?: components["parameters"]["AuditTo"];
                /**
                 * @description Only events about this referral.
                 * @example 0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40
                 */
                referralId?: components["parameters"]["AuditReferralId"];
                /**
                 * @description Only events about this message.
                 * @example 0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11
                 */
                messageId?: components["parameters"]["AuditMessageId"];
                /**
                 * @description Only events involving this peer.
                 * @example pvpt
                 */
                peer?: components["parameters"]["AuditPeer"];
                /**
                 * @description Only events of this type.
                 * @example message.received
                 */
                type?: components["parameters"]["AuditType"];
                /**
                 * @description Only events by this actor (a client id, a peer node id, `system` or `operator:<node>`).
                 * @example system
                 */
                actor?: components["parameters"]["AuditActor"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The export. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {"record":"checkpoint","origin":"pvpt","checkpoint":"eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJwdnB0In0.c2ln","treeSize":1,"rootHash":"47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU","complete":true,"keys":[]}
                     *     {"record":"entry","leafIndex":0,"event":{"idx":0,"at":"2025-03-14T09:30:05.123456Z","type":"peer.added","actor":"operator","peerNodeId":"atina","referralId":null,"messageId":null,"digest":null,"detail":null},"proof":[]}
                     */
                    "application/x-ndjson": components["schemas"]["AuditExport"];
                    /**
                     * @example record,leaf_index,idx,at,type,actor,peer_node_id,referral_id,message_id,digest,detail,proof
                     *     entry,0,0,2025-03-14T09:30:05.123456Z,peer.added,operator,atina,,,,,
                     */
                    "text/csv": components["schemas"]["AuditExport"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["AuditForbidden"];
        };
    };
    verifyAuditLog: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The outcome (also when verification failed). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "ok": false,
                     *       "treeSize": 1841,
                     *       "entries": 1841,
                     *       "cosignatures": 1,
                     *       "failure": {
                     *         "leafIndex": 17,
                     *         "eventId": 17,
                     *         "reason": "the event's content does not match its leaf hash"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["AuditVerification"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["AuditForbidden"];
        };
    };
    witnessAuditCheckpoints: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The outcome per peer. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "checkpoint": {
                     *         "treeSize": 1841,
                     *         "rootHash": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
                     *         "issuedAt": "2025-03-14T09:31:00Z",
                     *         "checkpoint": "eyJhbGciOiJFZERTQSIsInR5cCI6ImJyaWRnZS1jaGVja3BvaW50K2p3dCJ9.eyJpc3MiOiJwdnB0In0.c2ln"
                     *       },
                     *       "peers": [
                     *         {
                     *           "peer": "atina",
                     *           "outcome": "cosigned",
                     *           "treeSize": 912
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["WitnessOutcomeList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["AdminForbidden"];
        };
    };
    requestAuditCheckpoint: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /** @example eyJhbGciOiJFZERTQSIsInR5cCI6ImJyaWRnZS13aXRuZXNzLXJlcXVlc3Qrand0In0.eyJpc3MiOiJhdGluYSJ9.c2ln */
                "application/jose": components["schemas"]["CompactJws"];
            };
        };
        responses: {
            /** @description The latest checkpoint and the consistency proof from `fromSize`. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "checkpoint": "eyJhbGciOiJFZERTQSIsInR5cCI6ImJyaWRnZS1jaGVja3BvaW50K2p3dCJ9.eyJpc3MiOiJwdnB0In0.c2ln",
                     *       "consistency": [
                     *         "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["CheckpointResponse"];
                };
            };
            /** @description The request is not validly signed by a log key of the peer, is stale, or its `jti` was already used (`checkpoint_invalid`); over TLS, no client certificate was presented (`unauthorized`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:checkpoint_invalid",
                     *       "title": "Checkpoint invalid",
                     *       "status": 401,
                     *       "code": "checkpoint_invalid",
                     *       "detail": "witness request signature does not verify",
                     *       "requestId": "req-5b21e0c0"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The witness is unknown (`peer_unknown`) or not active (`peer_not_active`). Over TLS, the client certificate must be pinned for an active peer (else `peer_unknown` or `peer_not_active`), and the witness (`iss`) must be that peer (else `message_issuer_mismatch`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:peer_not_active",
                     *       "title": "Peer not active",
                     *       "status": 403,
                     *       "code": "peer_not_active",
                     *       "detail": "the peer is not active",
                     *       "requestId": "req-5b21e0c1"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `fromSize` is beyond this node's log (`audit_inconsistent`): the witness co-signed a longer log than this node now has. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:audit_inconsistent",
                     *       "title": "Audit log inconsistent",
                     *       "status": 409,
                     *       "code": "audit_inconsistent",
                     *       "detail": "the witness co-signed 912 leaves; this log has 700",
                     *       "requestId": "req-5b21e0c2"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "4XX": components["responses"]["ClientError"];
        };
    };
    submitAuditCosignature: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /** @example eyJhbGciOiJFZERTQSIsInR5cCI6ImJyaWRnZS1jb3NpZ25hdHVyZStqd3QifQ.eyJpc3MiOiJhdGluYSJ9.c2ln */
                "application/jose": components["schemas"]["CompactJws"];
            };
        };
        responses: {
            /** @description The co-signature is stored (or was already). */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The co-signature does not verify with the witness's log keys (`checkpoint_invalid`); over TLS, no client certificate was presented (`unauthorized`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:checkpoint_invalid",
                     *       "title": "Checkpoint invalid",
                     *       "status": 401,
                     *       "code": "checkpoint_invalid",
                     *       "detail": "co-signature signature does not verify",
                     *       "requestId": "req-5b21e0c3"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The witness is unknown (`peer_unknown`) or not active (`peer_not_active`). Over TLS, the client certificate must be pinned for an active peer (else `peer_unknown` or `peer_not_active`), and the witness (`iss`) must be that peer (else `message_issuer_mismatch`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:peer_unknown",
                     *       "title": "Peer unknown",
                     *       "status": 403,
                     *       "code": "peer_unknown",
                     *       "detail": "the sender is not a known peer",
                     *       "requestId": "req-5b21e0c4"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description This node signed no checkpoint of that size and root (`audit_inconsistent`). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:audit_inconsistent",
                     *       "title": "Audit log inconsistent",
                     *       "status": 409,
                     *       "code": "audit_inconsistent",
                     *       "detail": "no checkpoint of this size and root",
                     *       "requestId": "req-5b21e0c5"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "4XX": components["responses"]["ClientError"];
        };
    };
    listWebhookDeliveries: {
        parameters: {
            query?: {
                /**
                 * @description Only deliveries with this status.
                 * @example dead
                 */
                status?: components["schemas"]["OutboxStatus"];
                /**
                 * @description Maximum number of deliveries in the page.
                 * @example 50
                 */
                limit?: number;
                /**
                 * @description Opaque cursor from the `nextCursor` of the previous page.
                 * @example eyJjcmVhdGVkQXQiOiIyMDI1LTAzLTE0VDA5OjMwOjAwWiJ9
                 */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of webhook deliveries. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "0192f4a2-3c4d-7e5f-8a6b-7c8d9e0f1a2b",
                     *           "subscriptionId": "0192f4a2-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
                     *           "eventId": "0192f4a1-7f91-7d24-8e33-5c6d7e8f9001",
                     *           "eventType": "referral.status_changed",
                     *           "status": "dead",
                     *           "attempts": 9,
                     *           "lastError": "http_503",
                     *           "nextAttemptAt": "2025-03-17T09:30:00Z",
                     *           "deadlineAt": "2025-03-17T09:30:00Z",
                     *           "createdAt": "2025-03-14T09:30:01Z",
                     *           "deliveredAt": null
                     *         }
                     *       ],
                     *       "nextCursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["WebhookDeliveryList"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["AdminForbidden"];
        };
    };
    resendWebhookDelivery: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The webhook delivery id, as listed by `listWebhookDeliveries`.
                 * @example 0192f4a2-3c4d-7e5f-8a6b-7c8d9e0f1a2b
                 */
                deliveryId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The delivery was queued again. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0192f4a2-3c4d-7e5f-8a6b-7c8d9e0f1a2b",
                     *       "subscriptionId": "0192f4a2-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
                     *       "eventId": "0192f4a1-7f91-7d24-8e33-5c6d7e8f9001",
                     *       "eventType": "referral.status_changed",
                     *       "status": "queued",
                     *       "attempts": 9,
                     *       "lastError": "http_503",
                     *       "nextAttemptAt": "2025-03-18T08:00:00Z",
                     *       "deadlineAt": "2025-03-25T08:00:00Z",
                     *       "createdAt": "2025-03-14T09:30:01Z",
                     *       "deliveredAt": null
                     *     }
                     */
                    "application/json": components["schemas"]["WebhookDelivery"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["AdminForbidden"];
            /** @description No webhook delivery with this id exists on this node (`not_found`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:not_found",
                     *       "title": "Not found",
                     *       "status": 404,
                     *       "code": "not_found",
                     *       "detail": "webhook delivery not found",
                     *       "instance": "/admin/v1/webhook-deliveries/0192f4a2-3c4d-7e5f-8a6b-7c8d9e0f1a2b/resend",
                     *       "requestId": "req-3e8b1d42"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The delivery is not `dead`, or its subscription was deleted or disabled (`conflict`). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "code": "conflict",
                     *       "detail": "only a dead delivery can be resent; this one is retrying",
                     *       "instance": "/admin/v1/webhook-deliveries/0192f4a2-3c4d-7e5f-8a6b-7c8d9e0f1a2b/resend",
                     *       "requestId": "req-3e8b1d43"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The process is alive. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ok"
                     *     }
                     */
                    "application/json": components["schemas"]["Health"];
                };
            };
            "4XX": components["responses"]["ClientError"];
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The node is ready. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ready",
                     *       "checks": {
                     *         "database": true,
                     *         "migrations": true,
                     *         "keys": true
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            /** @description The node is not ready; `checks` says what is missing. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "not_ready",
                     *       "checks": {
                     *         "database": true,
                     *         "migrations": false,
                     *         "keys": true
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            "4XX": components["responses"]["ClientError"];
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI document. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "openapi": "3.1.0",
                     *       "info": {
                     *         "title": "Bridge",
                     *         "version": "1.0.0"
                     *       },
                     *       "servers": [
                     *         {
                     *           "url": "https://bridge.atina.org.rs"
                     *         }
                     *       ],
                     *       "paths": {
                     *         "/healthz": {
                     *           "get": {
                     *             "operationId": "getHealth"
                     *           }
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["OpenApiDocument"];
                };
            };
            "4XX": components["responses"]["ClientError"];
        };
    };
    getApiDocs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The HTML page. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /** @example <!doctype html><html lang="en"><head><title>Bridge 1.0.0</title></head><body><h1>Bridge 1.0.0</h1></body></html> */
                    "text/html": components["schemas"]["ApiDocsHtml"];
                };
            };
            "4XX": components["responses"]["ClientError"];
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The metrics, in the Prometheus text format. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example # HELP bridge_deliveries_total Messages delivered to a peer, with a verified receipt.
                     *     # TYPE bridge_deliveries_total counter
                     *     bridge_deliveries_total{peer="pvpt",type="referral.request"} 12
                     */
                    "text/plain; version=0.0.4": components["schemas"]["MetricsText"];
                };
            };
            "4XX": components["responses"]["ClientError"];
        };
    };
    getSignInOptions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The sign-in methods. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "passkey": true,
                     *       "password": true,
                     *       "oidc": null
                     *     }
                     */
                    "application/json": components["schemas"]["SignInOptions"];
                };
            };
            429: components["responses"]["TooManyAttempts"];
        };
    };
    getSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "user": {
                     *         "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *         "username": "jelena",
                     *         "roles": [
                     *           "case_worker"
                     *         ],
                     *         "scopes": [
                     *           "referrals:read",
                     *           "referrals:write"
                     *         ],
                     *         "locale": "sr-Latn",
                     *         "factors": {
                     *           "passkeys": [
                     *             {
                     *               "id": "0193a1b2-0002-7c3d-8e4f-5a6b7c8d9e02",
                     *               "name": "Office laptop",
                     *               "createdAt": "2025-03-14T09:00:00Z",
                     *               "lastUsedAt": "2025-03-14T10:00:00Z",
                     *               "backedUp": false
                     *             }
                     *           ],
                     *           "password": false,
                     *           "totp": false,
                     *           "recoveryCodesLeft": 10
                     *         }
                     *       },
                     *       "session": {
                     *         "id": "0193a1b2-0003-7c3d-8e4f-5a6b7c8d9e03",
                     *         "method": "passkey",
                     *         "createdAt": "2025-03-14T10:00:00Z",
                     *         "idleExpiresAt": "2025-03-14T10:15:00Z",
                     *         "expiresAt": "2025-03-14T18:00:00Z",
                     *         "stepUpUntil": "2025-03-14T10:05:00Z"
                     *       },
                     *       "csrfToken": "3q2-7wEiZvKX0pNLr0cJQk3s8b1yTq9xHh4mVdWf2aE"
                     *     }
                     */
                    "application/json": components["schemas"]["SessionInfo"];
                };
            };
            401: components["responses"]["SessionRequired"];
            429: components["responses"]["TooManyAttempts"];
        };
    };
    signInWithPassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "username": "jelena",
                 *       "password": "correct horse battery staple river",
                 *       "code": "287082"
                 *     }
                 */
                "application/json": components["schemas"]["PasswordSignIn"];
            };
        };
        responses: {
            /** @description Signed in; `Set-Cookie` carries the new session. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "user": {
                     *         "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *         "username": "jelena",
                     *         "roles": [
                     *           "case_worker"
                     *         ],
                     *         "scopes": [
                     *           "referrals:read",
                     *           "referrals:write"
                     *         ],
                     *         "locale": "sr-Latn",
                     *         "factors": {
                     *           "passkeys": [],
                     *           "password": true,
                     *           "totp": true,
                     *           "recoveryCodesLeft": 10
                     *         }
                     *       },
                     *       "session": {
                     *         "id": "0193a1b2-0003-7c3d-8e4f-5a6b7c8d9e03",
                     *         "method": "password",
                     *         "createdAt": "2025-03-14T10:00:00Z",
                     *         "idleExpiresAt": "2025-03-14T10:15:00Z",
                     *         "expiresAt": "2025-03-14T18:00:00Z",
                     *         "stepUpUntil": "2025-03-14T10:05:00Z"
                     *       },
                     *       "csrfToken": "3q2-7wEiZvKX0pNLr0cJQk3s8b1yTq9xHh4mVdWf2aE"
                     *     }
                     */
                    "application/json": components["schemas"]["SessionInfo"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["SignInFailed"];
            403: components["responses"]["CsrfRejected"];
            429: components["responses"]["TooManyAttempts"];
        };
    };
    startPasskeySignIn: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The challenge. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "challengeId": "0193a1b2-0004-7c3d-8e4f-5a6b7c8d9e04",
                     *       "publicKey": {
                     *         "challenge": "Y2hhbGxlbmdlLWJ5dGVzLWZyb20tdGhlLW5vZGU",
                     *         "rpId": "localhost",
                     *         "timeout": 300000,
                     *         "userVerification": "required",
                     *         "allowCredentials": []
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["PasskeyChallenge"];
                };
            };
            403: components["responses"]["CsrfRejected"];
            429: components["responses"]["TooManyAttempts"];
        };
    };
    signInWithPasskey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "challengeId": "0193a1b2-0004-7c3d-8e4f-5a6b7c8d9e04",
                 *       "credential": {
                 *         "id": "q1V3m2S5YbQ",
                 *         "rawId": "q1V3m2S5YbQ",
                 *         "type": "public-key",
                 *         "response": {
                 *           "clientDataJSON": "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0",
                 *           "authenticatorData": "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ",
                 *           "signature": "MEUCIQDx",
                 *           "userHandle": "AZOhsgABfD2OT1prfI2eAQ"
                 *         },
                 *         "clientExtensionResults": {}
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["PasskeyResponse"];
            };
        };
        responses: {
            /** @description Signed in; `Set-Cookie` carries the new session. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "user": {
                     *         "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *         "username": "marko",
                     *         "roles": [
                     *           "operator"
                     *         ],
                     *         "scopes": [
                     *           "admin"
                     *         ],
                     *         "locale": "en",
                     *         "factors": {
                     *           "passkeys": [
                     *             {
                     *               "id": "0193a1b2-0002-7c3d-8e4f-5a6b7c8d9e02",
                     *               "name": "Security key",
                     *               "createdAt": "2025-03-14T09:00:00Z",
                     *               "lastUsedAt": "2025-03-14T10:00:00Z",
                     *               "backedUp": false
                     *             }
                     *           ],
                     *           "password": false,
                     *           "totp": false,
                     *           "recoveryCodesLeft": 10
                     *         }
                     *       },
                     *       "session": {
                     *         "id": "0193a1b2-0003-7c3d-8e4f-5a6b7c8d9e03",
                     *         "method": "passkey",
                     *         "createdAt": "2025-03-14T10:00:00Z",
                     *         "idleExpiresAt": "2025-03-14T10:15:00Z",
                     *         "expiresAt": "2025-03-14T18:00:00Z",
                     *         "stepUpUntil": "2025-03-14T10:05:00Z"
                     *       },
                     *       "csrfToken": "3q2-7wEiZvKX0pNLr0cJQk3s8b1yTq9xHh4mVdWf2aE"
                     *     }
                     */
                    "application/json": components["schemas"]["SessionInfo"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["SignInFailed"];
            403: components["responses"]["CsrfRejected"];
            429: components["responses"]["TooManyAttempts"];
        };
    };
    startOidcSignIn: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Where to send the browser; `Set-Cookie` carries the attempt's binding. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "authorizationUrl": "https://id.example.org/authorize?client_id=bridge&response_type=code&scope=openid&state=s&nonce=n&code_challenge=c&code_challenge_method=S256"
                     *     }
                     */
                    "application/json": components["schemas"]["OidcStart"];
                };
            };
            403: components["responses"]["CsrfRejected"];
            404: components["responses"]["OidcNotConfigured"];
        };
    };
    completeOidcSignIn: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "code": "SplxlOBeZQQYbYS6WxSbIA",
                 *       "state": "af0ifjsldkj",
                 *       "iss": "https://id.example.org"
                 *     }
                 */
                "application/json": components["schemas"]["OidcCallback"];
            };
        };
        responses: {
            /** @description Signed in; `Set-Cookie` carries the new session. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "user": {
                     *         "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *         "username": "ana",
                     *         "roles": [
                     *           "case_worker"
                     *         ],
                     *         "scopes": [
                     *           "referrals:read",
                     *           "referrals:write"
                     *         ],
                     *         "locale": "sq",
                     *         "factors": {
                     *           "passkeys": [],
                     *           "password": false,
                     *           "totp": true,
                     *           "recoveryCodesLeft": 10
                     *         }
                     *       },
                     *       "session": {
                     *         "id": "0193a1b2-0003-7c3d-8e4f-5a6b7c8d9e03",
                     *         "method": "oidc",
                     *         "createdAt": "2025-03-14T10:00:00Z",
                     *         "idleExpiresAt": "2025-03-14T10:15:00Z",
                     *         "expiresAt": "2025-03-14T18:00:00Z",
                     *         "stepUpUntil": "2025-03-14T10:05:00Z"
                     *       },
                     *       "csrfToken": "3q2-7wEiZvKX0pNLr0cJQk3s8b1yTq9xHh4mVdWf2aE"
                     *     }
                     */
                    "application/json": components["schemas"]["SessionInfo"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["OidcSignInFailed"];
            403: components["responses"]["CsrfRejected"];
            404: components["responses"]["OidcNotConfigured"];
            429: components["responses"]["TooManyAttempts"];
        };
    };
    completeOidcSignInWithCode: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "code": "287082"
                 *     }
                 */
                "application/json": components["schemas"]["OidcLocalFactor"];
            };
        };
        responses: {
            /** @description Signed in; `Set-Cookie` carries the new session. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "user": {
                     *         "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *         "username": "ana",
                     *         "roles": [
                     *           "case_worker"
                     *         ],
                     *         "scopes": [
                     *           "referrals:read",
                     *           "referrals:write"
                     *         ],
                     *         "locale": "sq",
                     *         "factors": {
                     *           "passkeys": [],
                     *           "password": false,
                     *           "totp": true,
                     *           "recoveryCodesLeft": 10
                     *         }
                     *       },
                     *       "session": {
                     *         "id": "0193a1b2-0003-7c3d-8e4f-5a6b7c8d9e03",
                     *         "method": "oidc",
                     *         "createdAt": "2025-03-14T10:00:00Z",
                     *         "idleExpiresAt": "2025-03-14T10:15:00Z",
                     *         "expiresAt": "2025-03-14T18:00:00Z",
                     *         "stepUpUntil": "2025-03-14T10:05:00Z"
                     *       },
                     *       "csrfToken": "3q2-7wEiZvKX0pNLr0cJQk3s8b1yTq9xHh4mVdWf2aE"
                     *     }
                     */
                    "application/json": components["schemas"]["SessionInfo"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["SignInFailed"];
            403: components["responses"]["CsrfRejected"];
            404: components["responses"]["OidcNotConfigured"];
            429: components["responses"]["TooManyAttempts"];
        };
    };
    linkUserOidc: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The account id.
                 * @example 0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01
                 */
                userId: components["parameters"]["UserId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "issuer": "https://id.example.org",
                 *       "subject": "248289761001"
                 *     }
                 */
                "application/json": components["schemas"]["OidcIdentity"];
            };
        };
        responses: {
            /** @description The account is linked. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["StepUpRequired"];
            404: components["responses"]["AccountNotFound"];
            409: components["responses"]["OidcIdentityTaken"];
        };
    };
    signOut: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Signed out. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["CsrfRejected"];
        };
    };
    stepUpWithPassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "password": "correct horse battery staple river",
                 *       "code": "287082"
                 *     }
                 */
                "application/json": components["schemas"]["PasswordStepUp"];
            };
        };
        responses: {
            /** @description Stepped up; `Set-Cookie` carries the rotated session. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "user": {
                     *         "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *         "username": "jelena",
                     *         "roles": [
                     *           "supervisor"
                     *         ],
                     *         "scopes": [
                     *           "referrals:read",
                     *           "referrals:write"
                     *         ],
                     *         "locale": "sq",
                     *         "factors": {
                     *           "passkeys": [],
                     *           "password": true,
                     *           "totp": true,
                     *           "recoveryCodesLeft": 9
                     *         }
                     *       },
                     *       "session": {
                     *         "id": "0193a1b2-0005-7c3d-8e4f-5a6b7c8d9e05",
                     *         "method": "password",
                     *         "createdAt": "2025-03-14T10:00:00Z",
                     *         "idleExpiresAt": "2025-03-14T10:45:00Z",
                     *         "expiresAt": "2025-03-14T18:00:00Z",
                     *         "stepUpUntil": "2025-03-14T10:35:00Z"
                     *       },
                     *       "csrfToken": "9b1yTq9xHh4mVdWf2aE3q2-7wEiZvKX0pNLr0cJQk3s"
                     *     }
                     */
                    "application/json": components["schemas"]["SessionInfo"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["SignInFailed"];
            403: components["responses"]["CsrfRejected"];
            429: components["responses"]["TooManyAttempts"];
        };
    };
    startPasskeyStepUp: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The challenge. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "challengeId": "0193a1b2-0006-7c3d-8e4f-5a6b7c8d9e06",
                     *       "publicKey": {
                     *         "challenge": "c3RlcC11cC1jaGFsbGVuZ2UtYnl0ZXM",
                     *         "rpId": "localhost",
                     *         "timeout": 300000,
                     *         "userVerification": "required",
                     *         "allowCredentials": [
                     *           {
                     *             "id": "q1V3m2S5YbQ",
                     *             "type": "public-key"
                     *           }
                     *         ]
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["PasskeyChallenge"];
                };
            };
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["CsrfRejected"];
        };
    };
    stepUpWithPasskey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "challengeId": "0193a1b2-0006-7c3d-8e4f-5a6b7c8d9e06",
                 *       "credential": {
                 *         "id": "q1V3m2S5YbQ",
                 *         "rawId": "q1V3m2S5YbQ",
                 *         "type": "public-key",
                 *         "response": {
                 *           "clientDataJSON": "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0",
                 *           "authenticatorData": "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAg",
                 *           "signature": "MEUCIQDx"
                 *         },
                 *         "clientExtensionResults": {}
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["PasskeyResponse"];
            };
        };
        responses: {
            /** @description Stepped up; `Set-Cookie` carries the rotated session. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "user": {
                     *         "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *         "username": "marko",
                     *         "roles": [
                     *           "operator"
                     *         ],
                     *         "scopes": [
                     *           "admin"
                     *         ],
                     *         "locale": "en",
                     *         "factors": {
                     *           "passkeys": [
                     *             {
                     *               "id": "0193a1b2-0002-7c3d-8e4f-5a6b7c8d9e02",
                     *               "name": null,
                     *               "createdAt": "2025-03-14T09:00:00Z",
                     *               "lastUsedAt": "2025-03-14T10:30:00Z",
                     *               "backedUp": false
                     *             }
                     *           ],
                     *           "password": false,
                     *           "totp": false,
                     *           "recoveryCodesLeft": 10
                     *         }
                     *       },
                     *       "session": {
                     *         "id": "0193a1b2-0005-7c3d-8e4f-5a6b7c8d9e05",
                     *         "method": "passkey",
                     *         "createdAt": "2025-03-14T10:00:00Z",
                     *         "idleExpiresAt": "2025-03-14T10:45:00Z",
                     *         "expiresAt": "2025-03-14T18:00:00Z",
                     *         "stepUpUntil": "2025-03-14T10:35:00Z"
                     *       },
                     *       "csrfToken": "9b1yTq9xHh4mVdWf2aE3q2-7wEiZvKX0pNLr0cJQk3s"
                     *     }
                     */
                    "application/json": components["schemas"]["SessionInfo"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["SignInFailed"];
            403: components["responses"]["CsrfRejected"];
            429: components["responses"]["TooManyAttempts"];
        };
    };
    listMySessions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The sessions. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "0193a1b2-0005-7c3d-8e4f-5a6b7c8d9e05",
                     *           "method": "passkey",
                     *           "createdAt": "2025-03-14T10:00:00Z",
                     *           "lastSeenAt": "2025-03-14T10:30:00Z",
                     *           "expiresAt": "2025-03-14T18:00:00Z",
                     *           "current": true
                     *         },
                     *         {
                     *           "id": "0193a1b2-0007-7c3d-8e4f-5a6b7c8d9e07",
                     *           "method": "password",
                     *           "createdAt": "2025-03-14T08:00:00Z",
                     *           "lastSeenAt": "2025-03-14T08:20:00Z",
                     *           "expiresAt": "2025-03-14T16:00:00Z",
                     *           "current": false
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["SessionList"];
                };
            };
            401: components["responses"]["SessionRequired"];
        };
    };
    endMySession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The session id from `listMySessions`.
                 * @example 0193a1b2-0007-7c3d-8e4f-5a6b7c8d9e07
                 */
                sessionId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session has ended. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["CsrfRejected"];
            404: components["responses"]["AccountNotFound"];
        };
    };
    updatePreferences: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "locale": "sr-Cyrl"
                 *     }
                 */
                "application/json": components["schemas"]["Preferences"];
            };
        };
        responses: {
            /** @description The updated session view. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "user": {
                     *         "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *         "username": "jelena",
                     *         "roles": [
                     *           "case_worker"
                     *         ],
                     *         "scopes": [
                     *           "referrals:read",
                     *           "referrals:write"
                     *         ],
                     *         "locale": "sr-Cyrl",
                     *         "factors": {
                     *           "passkeys": [],
                     *           "password": true,
                     *           "totp": true,
                     *           "recoveryCodesLeft": 10
                     *         }
                     *       },
                     *       "session": {
                     *         "id": "0193a1b2-0003-7c3d-8e4f-5a6b7c8d9e03",
                     *         "method": "password",
                     *         "createdAt": "2025-03-14T10:00:00Z",
                     *         "idleExpiresAt": "2025-03-14T10:20:00Z",
                     *         "expiresAt": "2025-03-14T18:00:00Z",
                     *         "stepUpUntil": null
                     *       },
                     *       "csrfToken": "3q2-7wEiZvKX0pNLr0cJQk3s8b1yTq9xHh4mVdWf2aE"
                     *     }
                     */
                    "application/json": components["schemas"]["SessionInfo"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["CsrfRejected"];
        };
    };
    regenerateRecoveryCodes: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The new codes. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "recoveryCodes": [
                     *         "7kq4-mz2p-x9rd-c3vh-tw8n-b5yf-j6ga",
                     *         "2hcw-9x4m-pq7r-t3kd-n8vb-y5zf-g6ja",
                     *         "q8r2-c4vx-m9tk-h3pw-z7nd-b5yj-f6ga",
                     *         "4mzp-x2kq-9rdc-3vht-8wnb-5yfj-6gaq",
                     *         "n3vb-8y5z-fg6j-a7kq-4mz2-px9r-dc3h",
                     *         "t8wn-b5yf-j6ga-7kq4-mz2p-x9rd-c3vh",
                     *         "w8nb-5yfj-6ga7-kq4m-z2px-9rdc-3vht",
                     *         "x9rd-c3vh-tw8n-b5yf-j6ga-7kq4-mz2p",
                     *         "c3vh-tw8n-b5yf-j6ga-7kq4-mz2p-x9rd",
                     *         "z2px-9rdc-3vht-w8nb-5yfj-6ga7-kq4m"
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["RecoveryCodes"];
                };
            };
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["StepUpRequired"];
        };
    };
    changePassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "password": "a river of quiet lanterns at dusk"
                 *     }
                 */
                "application/json": components["schemas"]["PasswordChange"];
            };
        };
        responses: {
            /** @description Changed; `Set-Cookie` carries the rotated session. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "user": {
                     *         "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *         "username": "jelena",
                     *         "roles": [
                     *           "case_worker"
                     *         ],
                     *         "scopes": [
                     *           "referrals:read",
                     *           "referrals:write"
                     *         ],
                     *         "locale": "en",
                     *         "factors": {
                     *           "passkeys": [],
                     *           "password": true,
                     *           "totp": true,
                     *           "recoveryCodesLeft": 10
                     *         }
                     *       },
                     *       "session": {
                     *         "id": "0193a1b2-0008-7c3d-8e4f-5a6b7c8d9e08",
                     *         "method": "password",
                     *         "createdAt": "2025-03-14T10:00:00Z",
                     *         "idleExpiresAt": "2025-03-14T10:50:00Z",
                     *         "expiresAt": "2025-03-14T18:00:00Z",
                     *         "stepUpUntil": "2025-03-14T10:38:00Z"
                     *       },
                     *       "csrfToken": "Hh4mVdWf2aE3q2-7wEiZvKX0pNLr0cJQk3s9b1yTq9x"
                     *     }
                     */
                    "application/json": components["schemas"]["SessionInfo"];
                };
            };
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["StepUpRequired"];
            422: components["responses"]["PasswordRejected"];
        };
    };
    startPasskeyRegistration: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The challenge. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "challengeId": "0193a1b2-0009-7c3d-8e4f-5a6b7c8d9e09",
                     *       "publicKey": {
                     *         "challenge": "cmVnaXN0cmF0aW9uLWNoYWxsZW5nZQ",
                     *         "rp": {
                     *           "id": "localhost",
                     *           "name": "Bridge (atina)"
                     *         },
                     *         "user": {
                     *           "id": "AZOhsgABfD2OT1prfI2eAQ",
                     *           "name": "marko",
                     *           "displayName": "marko"
                     *         },
                     *         "pubKeyCredParams": [
                     *           {
                     *             "type": "public-key",
                     *             "alg": -8
                     *           },
                     *           {
                     *             "type": "public-key",
                     *             "alg": -7
                     *           },
                     *           {
                     *             "type": "public-key",
                     *             "alg": -257
                     *           }
                     *         ],
                     *         "timeout": 300000,
                     *         "attestation": "none",
                     *         "excludeCredentials": [],
                     *         "authenticatorSelection": {
                     *           "residentKey": "required",
                     *           "userVerification": "required"
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["PasskeyChallenge"];
                };
            };
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["StepUpRequired"];
        };
    };
    addPasskey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "challengeId": "0193a1b2-0009-7c3d-8e4f-5a6b7c8d9e09",
                 *       "name": "Office security key",
                 *       "credential": {
                 *         "id": "q1V3m2S5YbQ",
                 *         "rawId": "q1V3m2S5YbQ",
                 *         "type": "public-key",
                 *         "response": {
                 *           "clientDataJSON": "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0",
                 *           "attestationObject": "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YQ",
                 *           "transports": [
                 *             "usb"
                 *           ]
                 *         },
                 *         "clientExtensionResults": {}
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["PasskeyRegistration"];
            };
        };
        responses: {
            /** @description The passkey was added. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0193a1b2-0002-7c3d-8e4f-5a6b7c8d9e02",
                     *       "name": "Office security key",
                     *       "createdAt": "2025-03-14T10:31:00Z",
                     *       "lastUsedAt": null,
                     *       "backedUp": false
                     *     }
                     */
                    "application/json": components["schemas"]["Passkey"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["StepUpRequired"];
            422: components["responses"]["PasskeyInvalid"];
        };
    };
    deletePasskey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The passkey id.
                 * @example 0193a1b2-0002-7c3d-8e4f-5a6b7c8d9e02
                 */
                passkeyId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["StepUpRequired"];
            404: components["responses"]["AccountNotFound"];
            409: components["responses"]["LastFactor"];
        };
    };
    getEnrolment: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "token": "pX2m9Qk4rT7vB1nC8dF3gH6jK0lZ5wY2sA4eR7uI9oM"
                 *     }
                 */
                "application/json": components["schemas"]["EnrolmentToken"];
            };
        };
        responses: {
            /** @description The pending enrolment. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "username": "jelena",
                     *       "roles": [
                     *         "case_worker"
                     *       ],
                     *       "methods": [
                     *         "passkey",
                     *         "password"
                     *       ],
                     *       "expiresAt": "2025-03-14T10:00:00Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Enrolment"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            403: components["responses"]["CsrfRejected"];
            410: components["responses"]["EnrolmentInvalid"];
            429: components["responses"]["TooManyAttempts"];
        };
    };
    startPasskeyEnrolment: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "token": "pX2m9Qk4rT7vB1nC8dF3gH6jK0lZ5wY2sA4eR7uI9oM"
                 *     }
                 */
                "application/json": components["schemas"]["EnrolmentToken"];
            };
        };
        responses: {
            /** @description The challenge. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "challengeId": "0193a1b2-000a-7c3d-8e4f-5a6b7c8d9e0a",
                     *       "publicKey": {
                     *         "challenge": "ZW5yb2xtZW50LWNoYWxsZW5nZQ",
                     *         "rp": {
                     *           "id": "localhost",
                     *           "name": "Bridge (atina)"
                     *         },
                     *         "user": {
                     *           "id": "AZOhsgABfD2OT1prfI2eAQ",
                     *           "name": "jelena",
                     *           "displayName": "jelena"
                     *         },
                     *         "pubKeyCredParams": [
                     *           {
                     *             "type": "public-key",
                     *             "alg": -8
                     *           },
                     *           {
                     *             "type": "public-key",
                     *             "alg": -7
                     *           },
                     *           {
                     *             "type": "public-key",
                     *             "alg": -257
                     *           }
                     *         ],
                     *         "timeout": 300000,
                     *         "attestation": "none",
                     *         "excludeCredentials": [],
                     *         "authenticatorSelection": {
                     *           "residentKey": "required",
                     *           "userVerification": "required"
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["PasskeyChallenge"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            403: components["responses"]["CsrfRejected"];
            410: components["responses"]["EnrolmentInvalid"];
            429: components["responses"]["TooManyAttempts"];
        };
    };
    enrolPasskey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "token": "pX2m9Qk4rT7vB1nC8dF3gH6jK0lZ5wY2sA4eR7uI9oM",
                 *       "challengeId": "0193a1b2-000a-7c3d-8e4f-5a6b7c8d9e0a",
                 *       "name": "Office laptop",
                 *       "credential": {
                 *         "id": "q1V3m2S5YbQ",
                 *         "rawId": "q1V3m2S5YbQ",
                 *         "type": "public-key",
                 *         "response": {
                 *           "clientDataJSON": "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0",
                 *           "attestationObject": "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YQ",
                 *           "transports": [
                 *             "internal"
                 *           ]
                 *         },
                 *         "clientExtensionResults": {}
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["PasskeyEnrolment"];
            };
        };
        responses: {
            /** @description Enrolled and signed in; `Set-Cookie` carries the new session. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "signedIn": {
                     *         "user": {
                     *           "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *           "username": "jelena",
                     *           "roles": [
                     *             "case_worker"
                     *           ],
                     *           "scopes": [
                     *             "referrals:read",
                     *             "referrals:write"
                     *           ],
                     *           "locale": "en",
                     *           "factors": {
                     *             "passkeys": [
                     *               {
                     *                 "id": "0193a1b2-0002-7c3d-8e4f-5a6b7c8d9e02",
                     *                 "name": "Office laptop",
                     *                 "createdAt": "2025-03-14T09:10:00Z",
                     *                 "lastUsedAt": null,
                     *                 "backedUp": false
                     *               }
                     *             ],
                     *             "password": false,
                     *             "totp": false,
                     *             "recoveryCodesLeft": 10
                     *           }
                     *         },
                     *         "session": {
                     *           "id": "0193a1b2-0003-7c3d-8e4f-5a6b7c8d9e03",
                     *           "method": "passkey",
                     *           "createdAt": "2025-03-14T09:10:00Z",
                     *           "idleExpiresAt": "2025-03-14T09:25:00Z",
                     *           "expiresAt": "2025-03-14T17:10:00Z",
                     *           "stepUpUntil": "2025-03-14T09:15:00Z"
                     *         },
                     *         "csrfToken": "3q2-7wEiZvKX0pNLr0cJQk3s8b1yTq9xHh4mVdWf2aE"
                     *       },
                     *       "recoveryCodes": [
                     *         "7kq4-mz2p-x9rd-c3vh-tw8n-b5yf-j6ga",
                     *         "2hcw-9x4m-pq7r-t3kd-n8vb-y5zf-g6ja",
                     *         "q8r2-c4vx-m9tk-h3pw-z7nd-b5yj-f6ga",
                     *         "4mzp-x2kq-9rdc-3vht-8wnb-5yfj-6gaq",
                     *         "n3vb-8y5z-fg6j-a7kq-4mz2-px9r-dc3h",
                     *         "t8wn-b5yf-j6ga-7kq4-mz2p-x9rd-c3vh",
                     *         "w8nb-5yfj-6ga7-kq4m-z2px-9rdc-3vht",
                     *         "x9rd-c3vh-tw8n-b5yf-j6ga-7kq4-mz2p",
                     *         "c3vh-tw8n-b5yf-j6ga-7kq4-mz2p-x9rd",
                     *         "z2px-9rdc-3vht-w8nb-5yfj-6ga7-kq4m"
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["Enrolled"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            403: components["responses"]["CsrfRejected"];
            410: components["responses"]["EnrolmentInvalid"];
            422: components["responses"]["PasskeyInvalid"];
            429: components["responses"]["TooManyAttempts"];
        };
    };
    startTotpEnrolment: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "token": "pX2m9Qk4rT7vB1nC8dF3gH6jK0lZ5wY2sA4eR7uI9oM"
                 *     }
                 */
                "application/json": components["schemas"]["EnrolmentToken"];
            };
        };
        responses: {
            /** @description The TOTP secret to enrol. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
                     *       "otpauthUri": "otpauth://totp/Bridge%20(atina):jelena?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Bridge%20(atina)&algorithm=SHA1&digits=6&period=30"
                     *     }
                     */
                    "application/json": components["schemas"]["TotpSetup"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            403: components["responses"]["CsrfRejected"];
            410: components["responses"]["EnrolmentInvalid"];
            422: components["responses"]["PasskeyRequired"];
            429: components["responses"]["TooManyAttempts"];
        };
    };
    enrolPassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "token": "pX2m9Qk4rT7vB1nC8dF3gH6jK0lZ5wY2sA4eR7uI9oM",
                 *       "password": "correct horse battery staple river",
                 *       "totpCode": "287082"
                 *     }
                 */
                "application/json": components["schemas"]["PasswordEnrolment"];
            };
        };
        responses: {
            /** @description Enrolled and signed in; `Set-Cookie` carries the new session. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "signedIn": {
                     *         "user": {
                     *           "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *           "username": "jelena",
                     *           "roles": [
                     *             "case_worker"
                     *           ],
                     *           "scopes": [
                     *             "referrals:read",
                     *             "referrals:write"
                     *           ],
                     *           "locale": "en",
                     *           "factors": {
                     *             "passkeys": [],
                     *             "password": true,
                     *             "totp": true,
                     *             "recoveryCodesLeft": 10
                     *           }
                     *         },
                     *         "session": {
                     *           "id": "0193a1b2-0003-7c3d-8e4f-5a6b7c8d9e03",
                     *           "method": "password",
                     *           "createdAt": "2025-03-14T09:10:00Z",
                     *           "idleExpiresAt": "2025-03-14T09:25:00Z",
                     *           "expiresAt": "2025-03-14T17:10:00Z",
                     *           "stepUpUntil": "2025-03-14T09:15:00Z"
                     *         },
                     *         "csrfToken": "3q2-7wEiZvKX0pNLr0cJQk3s8b1yTq9xHh4mVdWf2aE"
                     *       },
                     *       "recoveryCodes": [
                     *         "7kq4-mz2p-x9rd-c3vh-tw8n-b5yf-j6ga",
                     *         "2hcw-9x4m-pq7r-t3kd-n8vb-y5zf-g6ja",
                     *         "q8r2-c4vx-m9tk-h3pw-z7nd-b5yj-f6ga",
                     *         "4mzp-x2kq-9rdc-3vht-8wnb-5yfj-6gaq",
                     *         "n3vb-8y5z-fg6j-a7kq-4mz2-px9r-dc3h",
                     *         "t8wn-b5yf-j6ga-7kq4-mz2p-x9rd-c3vh",
                     *         "w8nb-5yfj-6ga7-kq4m-z2px-9rdc-3vht",
                     *         "x9rd-c3vh-tw8n-b5yf-j6ga-7kq4-mz2p",
                     *         "c3vh-tw8n-b5yf-j6ga-7kq4-mz2p-x9rd",
                     *         "z2px-9rdc-3vht-w8nb-5yfj-6ga7-kq4m"
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["Enrolled"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            403: components["responses"]["CsrfRejected"];
            410: components["responses"]["EnrolmentInvalid"];
            422: components["responses"]["PasswordRejected"];
            429: components["responses"]["TooManyAttempts"];
        };
    };
    listUsers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The accounts. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *           "username": "jelena",
                     *           "roles": [
                     *             "case_worker"
                     *           ],
                     *           "status": "active",
                     *           "locked": false,
                     *           "factors": {
                     *             "passkeys": 0,
                     *             "password": true,
                     *             "totp": true,
                     *             "recoveryCodesLeft": 9
                     *           },
                     *           "createdAt": "2025-03-14T09:00:00Z",
                     *           "lastSignInAt": "2025-03-14T10:00:00Z"
                     *         },
                     *         {
                     *           "id": "0193a1b2-0011-7c3d-8e4f-5a6b7c8d9e11",
                     *           "username": "marko",
                     *           "roles": [
                     *             "operator"
                     *           ],
                     *           "status": "invited",
                     *           "locked": false,
                     *           "factors": {
                     *             "passkeys": 0,
                     *             "password": false,
                     *             "totp": false,
                     *             "recoveryCodesLeft": 0
                     *           },
                     *           "createdAt": "2025-03-14T09:05:00Z",
                     *           "lastSignInAt": null
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["UserList"];
                };
            };
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["AdminForbidden"];
        };
    };
    createUser: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "username": "jelena",
                 *       "roles": [
                 *         "case_worker"
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["UserCreate"];
            };
        };
        responses: {
            /** @description The account and its enrolment link. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "user": {
                     *         "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *         "username": "jelena",
                     *         "roles": [
                     *           "case_worker"
                     *         ],
                     *         "status": "invited",
                     *         "locked": false,
                     *         "factors": {
                     *           "passkeys": 0,
                     *           "password": false,
                     *           "totp": false,
                     *           "recoveryCodesLeft": 0
                     *         },
                     *         "createdAt": "2025-03-14T09:00:00Z",
                     *         "lastSignInAt": null
                     *       },
                     *       "enrolment": {
                     *         "url": "http://localhost:4101/console/enrol#pX2m9Qk4rT7vB1nC8dF3gH6jK0lZ5wY2sA4eR7uI9oM",
                     *         "expiresAt": "2025-03-14T10:00:00Z"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["UserCreated"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["StepUpRequired"];
            409: components["responses"]["UsernameTaken"];
            422: components["responses"]["RolesInvalid"];
        };
    };
    getUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The account id.
                 * @example 0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01
                 */
                userId: components["parameters"]["UserId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The account. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *       "username": "jelena",
                     *       "roles": [
                     *         "case_worker"
                     *       ],
                     *       "status": "active",
                     *       "locked": false,
                     *       "factors": {
                     *         "passkeys": 1,
                     *         "password": false,
                     *         "totp": false,
                     *         "recoveryCodesLeft": 10
                     *       },
                     *       "createdAt": "2025-03-14T09:00:00Z",
                     *       "lastSignInAt": "2025-03-14T10:00:00Z"
                     *     }
                     */
                    "application/json": components["schemas"]["User"];
                };
            };
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["AdminForbidden"];
            404: components["responses"]["AccountNotFound"];
        };
    };
    setUserRoles: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The account id.
                 * @example 0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01
                 */
                userId: components["parameters"]["UserId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "roles": [
                 *         "supervisor"
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["UserRoles"];
            };
        };
        responses: {
            /** @description The account with its new roles. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *       "username": "jelena",
                     *       "roles": [
                     *         "supervisor"
                     *       ],
                     *       "status": "active",
                     *       "locked": false,
                     *       "factors": {
                     *         "passkeys": 1,
                     *         "password": false,
                     *         "totp": false,
                     *         "recoveryCodesLeft": 10
                     *       },
                     *       "createdAt": "2025-03-14T09:00:00Z",
                     *       "lastSignInAt": "2025-03-14T10:00:00Z"
                     *     }
                     */
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["StepUpRequired"];
            404: components["responses"]["AccountNotFound"];
            422: components["responses"]["RolesInvalid"];
        };
    };
    disableUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The account id.
                 * @example 0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01
                 */
                userId: components["parameters"]["UserId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The disabled account. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *       "username": "jelena",
                     *       "roles": [
                     *         "case_worker"
                     *       ],
                     *       "status": "disabled",
                     *       "locked": false,
                     *       "factors": {
                     *         "passkeys": 1,
                     *         "password": false,
                     *         "totp": false,
                     *         "recoveryCodesLeft": 10
                     *       },
                     *       "createdAt": "2025-03-14T09:00:00Z",
                     *       "lastSignInAt": "2025-03-14T10:00:00Z"
                     *     }
                     */
                    "application/json": components["schemas"]["User"];
                };
            };
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["StepUpRequired"];
            404: components["responses"]["AccountNotFound"];
        };
    };
    enableUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The account id.
                 * @example 0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01
                 */
                userId: components["parameters"]["UserId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The enabled account. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *       "username": "jelena",
                     *       "roles": [
                     *         "case_worker"
                     *       ],
                     *       "status": "active",
                     *       "locked": false,
                     *       "factors": {
                     *         "passkeys": 1,
                     *         "password": false,
                     *         "totp": false,
                     *         "recoveryCodesLeft": 10
                     *       },
                     *       "createdAt": "2025-03-14T09:00:00Z",
                     *       "lastSignInAt": "2025-03-14T10:00:00Z"
                     *     }
                     */
                    "application/json": components["schemas"]["User"];
                };
            };
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["StepUpRequired"];
            404: components["responses"]["AccountNotFound"];
        };
    };
    resetUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The account id.
                 * @example 0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01
                 */
                userId: components["parameters"]["UserId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The new enrolment link. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "url": "http://localhost:4101/console/enrol#Zk4rT7vB1nC8dF3gH6jK0lZ5wY2sA4eR7uI9oMpX2m9Q",
                     *       "expiresAt": "2025-03-14T11:00:00Z"
                     *     }
                     */
                    "application/json": components["schemas"]["EnrolmentLink"];
                };
            };
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["StepUpRequired"];
            404: components["responses"]["AccountNotFound"];
        };
    };
    unlockUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The account id.
                 * @example 0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01
                 */
                userId: components["parameters"]["UserId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The unlocked account. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01",
                     *       "username": "jelena",
                     *       "roles": [
                     *         "case_worker"
                     *       ],
                     *       "status": "active",
                     *       "locked": false,
                     *       "factors": {
                     *         "passkeys": 0,
                     *         "password": true,
                     *         "totp": true,
                     *         "recoveryCodesLeft": 10
                     *       },
                     *       "createdAt": "2025-03-14T09:00:00Z",
                     *       "lastSignInAt": "2025-03-14T10:00:00Z"
                     *     }
                     */
                    "application/json": components["schemas"]["User"];
                };
            };
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["StepUpRequired"];
            404: components["responses"]["AccountNotFound"];
        };
    };
    revokeUserSessions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The account id.
                 * @example 0193a1b2-0001-7c3d-8e4f-5a6b7c8d9e01
                 */
                userId: components["parameters"]["UserId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every session of the person has ended. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["SessionRequired"];
            403: components["responses"]["StepUpRequired"];
            404: components["responses"]["AccountNotFound"];
        };
    };
    getConsole: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The console's HTML page. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /** @example <!doctype html><html lang="en"><head><title>Bridge</title></head><body><div id="root"></div></body></html> */
                    "text/html": components["schemas"]["ConsoleHtml"];
                };
            };
            /** @description The console was not built when the node was installed (`not_ready`); installing again builds it. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:not_ready",
                     *       "title": "Not ready",
                     *       "status": 503,
                     *       "code": "not_ready",
                     *       "detail": "the console was not built when the node was installed; install again to build it",
                     *       "requestId": "req-9a1b2c10"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "4XX": components["responses"]["ClientError"];
        };
    };
    getConsolePage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @example sessions */
                page: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The console's HTML page. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /** @example <!doctype html><html lang="en"><head><title>Bridge</title></head><body><div id="root"></div></body></html> */
                    "text/html": components["schemas"]["ConsoleHtml"];
                };
            };
            /** @description The console was not built when the node was installed (`not_ready`); installing again builds it. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:not_ready",
                     *       "title": "Not ready",
                     *       "status": 503,
                     *       "code": "not_ready",
                     *       "detail": "the console was not built when the node was installed; install again to build it",
                     *       "requestId": "req-9a1b2c10"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "4XX": components["responses"]["ClientError"];
        };
    };
    getConsoleAsset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @example index-3f9a1c.css */
                asset: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /** @example body{margin:0} */
                    "*/*": components["schemas"]["ConsoleAsset"];
                };
            };
            /** @description The console was not built when the node was installed (`not_ready`); installing again builds it. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:bridge:problem:not_ready",
                     *       "title": "Not ready",
                     *       "status": 503,
                     *       "code": "not_ready",
                     *       "detail": "the console was not built when the node was installed; install again to build it",
                     *       "requestId": "req-9a1b2c10"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "4XX": components["responses"]["ClientError"];
        };
    };
    deliverReferralEvent: {
        parameters: {
            query?: never;
            header: {
                /**
                 * @description The event id; the same on every retry of this event.
                 * @example 0192f4a1-8a00-7e35-9f44-6d7e8f900112
                 */
                "webhook-id": string;
                /**
                 * @description Unix seconds when this attempt was signed.
                 * @example 1742032800
                 */
                "webhook-timestamp": string;
                /**
                 * @description `v1,` and the base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>` under the bytes of the secret (after `whsec_`, base64-decoded).
                 * @example v1,guD/HX1cDekl5Za9gMHpiE5vYvgr3z0LtArF+Ew2UHI=
                 */
                "webhook-signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "id": "0192f4a1-8a00-7e35-9f44-6d7e8f900112",
                 *       "type": "referral.status_changed",
                 *       "occurredAt": "2025-03-15T10:00:00Z",
                 *       "referralId": "0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40",
                 *       "direction": "outbound",
                 *       "peer": "pvpt",
                 *       "status": "cancelled",
                 *       "previousStatus": "received",
                 *       "reason": "PERSON_DECLINED"
                 *     }
                 */
                "application/json": components["schemas"]["Event"];
            };
        };
        responses: {
            /** @description Acknowledged; the delivery is done. */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Any other answer (or none within the timeout) is retried until the delivery deadline. */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
