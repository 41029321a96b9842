//! RegistryService: the claim registry (资助申报登记).
//!
//! Thin by design: authenticate, read the request, let the rules crate decide
//! (`stdfund_rules::claim` and the engine), let the store write, convert the
//! typed result to the contract. One module per family of RPCs:
//!
//! * [`claims`]: submit, read, list, review (one or a batch), return,
//!   withdraw, resubmit — the approval recomputes the line and freezes its
//!   amount, split and assessment;
//! * [`finance`]: budgets per year and payer, disbursements, the payment list;
//! * [`publications`]: the public notice (公示) and objections;
//! * [`attachments`]: files attached to claims, checked by content;
//! * [`reports`]: the report, its workbook, the 2020 targets, the audit log;
//! * [`convert`]: the store's typed records as `stdfund.v1` messages;
//! * [`input`]: the checks every request field passes first.
//!
//! The registry's one-time key is `CREDIT_CODE|GROUP|SUBJECT` with the
//! canonical subject (RULES.md §5): see [`stdfund_rules::claim::RegistryKey`].

pub mod attachments;
pub mod claims;
pub mod convert;
pub mod finance;
pub mod input;
pub mod publications;
pub mod reports;

use crate::auth::{Principal, Role, Tokens, rpc_roles};
use crate::registry_error::RegistryError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use stdfund_proto::pb;
use stdfund_proto::pb::registry_service_server::RegistryService;
use stdfund_rules::RuleBook;
use stdfund_store::{Actor, AnyStore, StoreError, Timestamp};
use tonic::{Request, Response, Status};

/// The clock the registry reads (the rules crate never does).
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now; `None` when the clock cannot be read as a timestamp.
    fn now(&self) -> Option<Timestamp>;
}

/// The system clock.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the server owns the clock
    fn now(&self) -> Option<Timestamp> {
        Timestamp::from_system_time(std::time::SystemTime::now())
    }
}

struct Inner {
    store: AnyStore,
    /// The last verdict of the database health watch ([`crate::dbhealth`]);
    /// true until a watch says otherwise.
    database_up: AtomicBool,
    tokens: RwLock<Arc<Tokens>>,
    book: &'static RuleBook,
    clock: Box<dyn Clock>,
}

/// The RegistryService implementation.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("backend", &self.inner.store.backend())
            .field("tokens", &self.tokens().len())
            .finish()
    }
}

/// The actor recorded in audit entries for a principal.
pub(crate) fn actor(p: &Principal) -> Actor {
    Actor::new(p.name.clone(), p.role.as_str())
}

impl Registry {
    /// Builds the service over a store, with the configured tokens.
    pub fn new(store: AnyStore, tokens: Tokens) -> Result<Registry, stdfund_rules::Error> {
        Registry::with_clock(store, tokens, Box::new(SystemClock))
    }

    /// Builds the service with a given clock (tests).
    pub fn with_clock(
        store: AnyStore,
        tokens: Tokens,
        clock: Box<dyn Clock>,
    ) -> Result<Registry, stdfund_rules::Error> {
        Ok(Registry {
            inner: Arc::new(Inner {
                store,
                database_up: AtomicBool::new(true),
                tokens: RwLock::new(Arc::new(tokens)),
                book: stdfund_rules::ruleset::embedded()?,
                clock,
            }),
        })
    }

    /// The store (health checks; closing its pool on shutdown).
    pub fn store(&self) -> &AnyStore {
        &self.inner.store
    }

    /// The tokens in force.
    pub fn tokens(&self) -> Arc<Tokens> {
        match self.inner.tokens.read() {
            Ok(t) => Arc::clone(&t),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Replaces the tokens (SIGHUP reload).
    pub fn replace_tokens(&self, tokens: Tokens) {
        match self.inner.tokens.write() {
            Ok(mut t) => *t = Arc::new(tokens),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(tokens),
        }
    }

    /// Records the database health watch's verdict: while it is false,
    /// every call that writes is refused at once with UNAVAILABLE, without
    /// waiting for the database (and without writing to a damaged file).
    pub fn set_database_up(&self, up: bool) {
        self.inner.database_up.store(up, Ordering::Relaxed);
    }

    /// Whether the last health probe found the database serving.
    pub fn database_up(&self) -> bool {
        self.inner.database_up.load(Ordering::Relaxed)
    }

    /// Refuses a write while the database is known to be failing.
    fn writable(&self, rpc: &'static str) -> Result<(), RegistryError> {
        if self.database_up() {
            Ok(())
        } else {
            Err(RegistryError::Store(StoreError::Unavailable {
                message: format!(
                    "{rpc} refused: the registry database failed its last health check \
                     (health NOT_SERVING); writes resume when it recovers"
                ),
            }))
        }
    }

    pub(crate) fn book(&self) -> &'static RuleBook {
        self.inner.book
    }

    /// Now, from the registry's clock.
    pub(crate) fn now(&self) -> Result<Timestamp, RegistryError> {
        self.inner.clock.now().ok_or_else(|| {
            RegistryError::internal("the system clock cannot be read as a timestamp")
        })
    }

    fn authorize<T>(
        &self,
        request: &Request<T>,
        rpc: &'static str,
        roles: &'static [Role],
    ) -> Result<Principal, RegistryError> {
        self.tokens()
            .authorize(request.metadata(), rpc, roles)
            .map_err(|e| {
                tracing::info!(rpc, ?e, "registry call refused");
                RegistryError::Auth(e)
            })
    }
}

impl Registry {
    /// The answer of an RPC; a refusal names fiscal units from the rule book.
    fn answer<T>(&self, r: Result<T, RegistryError>) -> Result<Response<T>, Status> {
        let book = self.book();
        r.map(Response::new)
            .map_err(|e| e.into_status_in(Some(book)))
    }
}

#[tonic::async_trait]
impl RegistryService for Registry {
    async fn submit_claim(
        &self,
        request: Request<pb::SubmitClaimRequest>,
    ) -> Result<Response<pb::SubmitClaimResponse>, Status> {
        let who = self.authorize(&request, "SubmitClaim", rpc_roles::SUBMIT_CLAIM)?;
        self.writable("SubmitClaim")?;
        self.answer(self.submit(&who, request.into_inner()).await)
    }

    async fn get_claim(
        &self,
        request: Request<pb::GetClaimRequest>,
    ) -> Result<Response<pb::GetClaimResponse>, Status> {
        let who = self.authorize(&request, "GetClaim", rpc_roles::READ_CLAIMS)?;
        self.answer(self.get(&who, request.into_inner()).await)
    }

    async fn list_claims(
        &self,
        request: Request<pb::ListClaimsRequest>,
    ) -> Result<Response<pb::ListClaimsResponse>, Status> {
        let who = self.authorize(&request, "ListClaims", rpc_roles::READ_CLAIMS)?;
        self.answer(self.list(&who, request.into_inner()).await)
    }

    async fn review_claim(
        &self,
        request: Request<pb::ReviewClaimRequest>,
    ) -> Result<Response<pb::ReviewClaimResponse>, Status> {
        let who = self.authorize(&request, "ReviewClaim", rpc_roles::REVIEW_CLAIM)?;
        self.writable("ReviewClaim")?;
        self.answer(self.review(&who, request.into_inner()).await)
    }

    async fn record_disbursement(
        &self,
        request: Request<pb::RecordDisbursementRequest>,
    ) -> Result<Response<pb::RecordDisbursementResponse>, Status> {
        let who = self.authorize(
            &request,
            "RecordDisbursement",
            rpc_roles::RECORD_DISBURSEMENT,
        )?;
        self.writable("RecordDisbursement")?;
        self.answer(self.disburse(&who, request.into_inner()).await)
    }

    async fn export_public_notice(
        &self,
        request: Request<pb::ExportPublicNoticeRequest>,
    ) -> Result<Response<pb::ExportPublicNoticeResponse>, Status> {
        self.authorize(
            &request,
            "ExportPublicNotice",
            rpc_roles::EXPORT_PUBLIC_NOTICE,
        )?;
        self.answer(self.export_notice(request.into_inner()).await)
    }

    async fn get_report(
        &self,
        request: Request<pb::GetReportRequest>,
    ) -> Result<Response<pb::GetReportResponse>, Status> {
        self.authorize(&request, "GetReport", rpc_roles::GET_REPORT)?;
        self.answer(self.report(request.into_inner()).await)
    }

    async fn get_target_progress(
        &self,
        request: Request<pb::GetTargetProgressRequest>,
    ) -> Result<Response<pb::GetTargetProgressResponse>, Status> {
        self.authorize(
            &request,
            "GetTargetProgress",
            rpc_roles::GET_TARGET_PROGRESS,
        )?;
        self.answer(self.target_progress(request.into_inner()).await)
    }

    async fn list_audit_log(
        &self,
        request: Request<pb::ListAuditLogRequest>,
    ) -> Result<Response<pb::ListAuditLogResponse>, Status> {
        let who = self.authorize(&request, "ListAuditLog", rpc_roles::LIST_AUDIT_LOG)?;
        self.answer(self.audit(&who, request.into_inner()).await)
    }

    async fn set_budget(
        &self,
        request: Request<pb::SetBudgetRequest>,
    ) -> Result<Response<pb::SetBudgetResponse>, Status> {
        let who = self.authorize(&request, "SetBudget", rpc_roles::SET_BUDGET)?;
        self.writable("SetBudget")?;
        self.answer(Registry::set_budget(self, &who, request.into_inner()).await)
    }

    async fn get_budget(
        &self,
        request: Request<pb::GetBudgetRequest>,
    ) -> Result<Response<pb::GetBudgetResponse>, Status> {
        self.authorize(&request, "GetBudget", rpc_roles::GET_BUDGET)?;
        self.answer(Registry::get_budget(self, request.into_inner()).await)
    }

    async fn review_claims(
        &self,
        request: Request<pb::ReviewClaimsRequest>,
    ) -> Result<Response<pb::ReviewClaimsResponse>, Status> {
        let who = self.authorize(&request, "ReviewClaims", rpc_roles::REVIEW_CLAIM)?;
        self.writable("ReviewClaims")?;
        self.answer(self.review_batch(&who, request.into_inner()).await)
    }

    async fn withdraw_claim(
        &self,
        request: Request<pb::WithdrawClaimRequest>,
    ) -> Result<Response<pb::WithdrawClaimResponse>, Status> {
        let who = self.authorize(&request, "WithdrawClaim", rpc_roles::APPLICANT)?;
        self.writable("WithdrawClaim")?;
        self.answer(self.withdraw(&who, request.into_inner()).await)
    }

    async fn resubmit_claim(
        &self,
        request: Request<pb::ResubmitClaimRequest>,
    ) -> Result<Response<pb::ResubmitClaimResponse>, Status> {
        let who = self.authorize(&request, "ResubmitClaim", rpc_roles::APPLICANT)?;
        self.writable("ResubmitClaim")?;
        self.answer(self.resubmit(&who, request.into_inner()).await)
    }

    async fn add_attachment(
        &self,
        request: Request<pb::AddAttachmentRequest>,
    ) -> Result<Response<pb::AddAttachmentResponse>, Status> {
        let who = self.authorize(&request, "AddAttachment", rpc_roles::APPLICANT)?;
        self.writable("AddAttachment")?;
        self.answer(self.attach(&who, request.into_inner()).await)
    }

    async fn list_attachments(
        &self,
        request: Request<pb::ListAttachmentsRequest>,
    ) -> Result<Response<pb::ListAttachmentsResponse>, Status> {
        let who = self.authorize(&request, "ListAttachments", rpc_roles::READ_CLAIMS)?;
        self.answer(self.list_attachments(&who, request.into_inner()).await)
    }

    async fn get_attachment(
        &self,
        request: Request<pb::GetAttachmentRequest>,
    ) -> Result<Response<pb::GetAttachmentResponse>, Status> {
        let who = self.authorize(&request, "GetAttachment", rpc_roles::READ_CLAIMS)?;
        self.answer(self.get_attachment(&who, request.into_inner()).await)
    }

    async fn list_budgets(
        &self,
        request: Request<pb::ListBudgetsRequest>,
    ) -> Result<Response<pb::ListBudgetsResponse>, Status> {
        self.authorize(&request, "ListBudgets", rpc_roles::GET_BUDGET)?;
        self.answer(Registry::list_budgets(self, request.into_inner()).await)
    }

    async fn export_payments(
        &self,
        request: Request<pb::ExportPaymentsRequest>,
    ) -> Result<Response<pb::ExportPaymentsResponse>, Status> {
        self.authorize(&request, "ExportPayments", rpc_roles::RECORD_DISBURSEMENT)?;
        self.answer(self.export_payments(request.into_inner()).await)
    }

    async fn export_report(
        &self,
        request: Request<pb::ExportReportRequest>,
    ) -> Result<Response<pb::ExportReportResponse>, Status> {
        self.authorize(&request, "ExportReport", rpc_roles::GET_REPORT)?;
        self.answer(self.export_report(request.into_inner()).await)
    }

    async fn create_publication(
        &self,
        request: Request<pb::CreatePublicationRequest>,
    ) -> Result<Response<pb::CreatePublicationResponse>, Status> {
        let who = self.authorize(&request, "CreatePublication", rpc_roles::PUBLISH)?;
        self.writable("CreatePublication")?;
        self.answer(Registry::create_publication(self, &who, request.into_inner()).await)
    }

    async fn issue_publication(
        &self,
        request: Request<pb::IssuePublicationRequest>,
    ) -> Result<Response<pb::IssuePublicationResponse>, Status> {
        let who = self.authorize(&request, "IssuePublication", rpc_roles::PUBLISH)?;
        self.writable("IssuePublication")?;
        self.answer(Registry::issue_publication(self, &who, request.into_inner()).await)
    }

    async fn get_publication(
        &self,
        request: Request<pb::GetPublicationRequest>,
    ) -> Result<Response<pb::GetPublicationResponse>, Status> {
        self.authorize(&request, "GetPublication", rpc_roles::READ_PUBLICATIONS)?;
        self.answer(Registry::get_publication(self, request.into_inner()).await)
    }

    async fn list_publications(
        &self,
        request: Request<pb::ListPublicationsRequest>,
    ) -> Result<Response<pb::ListPublicationsResponse>, Status> {
        self.authorize(&request, "ListPublications", rpc_roles::READ_PUBLICATIONS)?;
        self.answer(Registry::list_publications(self, request.into_inner()).await)
    }

    async fn export_publication(
        &self,
        request: Request<pb::ExportPublicationRequest>,
    ) -> Result<Response<pb::ExportPublicationResponse>, Status> {
        self.authorize(&request, "ExportPublication", rpc_roles::READ_PUBLICATIONS)?;
        self.answer(Registry::export_publication(self, request.into_inner()).await)
    }

    async fn record_objection(
        &self,
        request: Request<pb::RecordObjectionRequest>,
    ) -> Result<Response<pb::RecordObjectionResponse>, Status> {
        let who = self.authorize(&request, "RecordObjection", rpc_roles::PUBLISH)?;
        self.writable("RecordObjection")?;
        self.answer(Registry::record_objection(self, &who, request.into_inner()).await)
    }

    async fn resolve_objection(
        &self,
        request: Request<pb::ResolveObjectionRequest>,
    ) -> Result<Response<pb::ResolveObjectionResponse>, Status> {
        let who = self.authorize(&request, "ResolveObjection", rpc_roles::PUBLISH)?;
        self.writable("ResolveObjection")?;
        self.answer(Registry::resolve_objection(self, &who, request.into_inner()).await)
    }

    async fn verify_audit_log(
        &self,
        request: Request<pb::VerifyAuditLogRequest>,
    ) -> Result<Response<pb::VerifyAuditLogResponse>, Status> {
        self.authorize(&request, "VerifyAuditLog", rpc_roles::VERIFY_AUDIT_LOG)?;
        self.answer(self.verify_audit().await)
    }

    async fn get_caller(
        &self,
        request: Request<pb::GetCallerRequest>,
    ) -> Result<Response<pb::GetCallerResponse>, Status> {
        let who = self.authorize(&request, "GetCaller", rpc_roles::GET_CALLER)?;
        Ok(Response::new(pb::GetCallerResponse {
            role: convert::role_to_pb(who.role).into(),
            name: who.name,
        }))
    }
}
