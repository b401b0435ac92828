//! Systems Manager Automation (awsJson1.1, `X-Amz-Target: AmazonSSM.<Operation>`): runbook
//! documents and their versions, automation executions, and the signals responders send.

use serde::Serialize;
use serde::de::DeserializeOwned;
use tocsin_api::ssm::{
    AutomationExecution, AutomationExecutionMetadata, CreateDocumentRequest,
    DescribeAutomationExecutionsRequest, DescribeAutomationExecutionsResult,
    DescribeDocumentResult, DocumentDescription, DocumentDescriptionResult, DocumentIdentifier,
    DocumentRef, DocumentVersionInfo, ExecutionRef, GetAutomationExecutionResult,
    GetDocumentResult, ListDocumentVersionsRequest, ListDocumentVersionsResult,
    ListDocumentsRequest, ListDocumentsResult, SendAutomationSignalRequest,
    StartAutomationExecutionRequest, StartAutomationExecutionResult, TARGET_PREFIX,
    UpdateDocumentDefaultVersionRequest, UpdateDocumentDefaultVersionResult, UpdateDocumentRequest,
};

use super::paging::all_pages;
use super::{Api, ApiError};

/// Page size of Systems Manager lists (their most).
pub const SSM_PAGE_LIMIT: i64 = 50;

/// A `DocumentRef` naming one version (`None`: the default version).
fn document_ref(name: &str, version: Option<&str>) -> DocumentRef {
    DocumentRef {
        name: name.to_owned(),
        document_version: version.map(str::to_owned),
        ..DocumentRef::default()
    }
}

impl Api {
    /// One Systems Manager operation: `POST /` with `X-Amz-Target: AmazonSSM.<operation>`.
    async fn ssm<I: Serialize, O: DeserializeOwned>(
        &self,
        operation: &str,
        input: &I,
    ) -> Result<O, ApiError> {
        self.post_aws_json(&format!("{TARGET_PREFIX}{operation}"), input)
            .await
    }

    /// `ListDocuments` (one page).
    pub async fn list_documents(
        &self,
        input: &ListDocumentsRequest,
    ) -> Result<ListDocumentsResult, ApiError> {
        self.ssm("ListDocuments", input).await
    }

    /// Every document: the built-ins and the account's own, by name (see [`all_pages`]).
    pub async fn all_documents(&self) -> Result<Vec<DocumentIdentifier>, ApiError> {
        all_pages(|next_token| async move {
            let input = ListDocumentsRequest {
                max_results: Some(SSM_PAGE_LIMIT),
                next_token,
                ..ListDocumentsRequest::default()
            };
            let page = self.list_documents(&input).await?;
            Ok((page.document_identifiers, page.next_token))
        })
        .await
    }

    /// `GetDocument`: a version's content (`None`: the default version) in its own format.
    pub async fn get_document(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Result<GetDocumentResult, ApiError> {
        self.ssm("GetDocument", &document_ref(name, version)).await
    }

    /// `DescribeDocument`: a version's description, with its declared parameters
    /// (`None`: the default version).
    pub async fn describe_document(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Result<DocumentDescription, ApiError> {
        let out: DescribeDocumentResult = self
            .ssm("DescribeDocument", &document_ref(name, version))
            .await?;
        Ok(out.document)
    }

    /// `CreateDocument` (admin).
    pub async fn create_document(
        &self,
        input: &CreateDocumentRequest,
    ) -> Result<DocumentDescription, ApiError> {
        let out: DocumentDescriptionResult = self.ssm("CreateDocument", input).await?;
        Ok(out.document_description)
    }

    /// `UpdateDocument` (admin): a new version.
    pub async fn update_document(
        &self,
        input: &UpdateDocumentRequest,
    ) -> Result<DocumentDescription, ApiError> {
        let out: DocumentDescriptionResult = self.ssm("UpdateDocument", input).await?;
        Ok(out.document_description)
    }

    /// `UpdateDocumentDefaultVersion` (admin).
    pub async fn update_document_default_version(
        &self,
        name: &str,
        version: &str,
    ) -> Result<UpdateDocumentDefaultVersionResult, ApiError> {
        let input = UpdateDocumentDefaultVersionRequest {
            name: name.to_owned(),
            document_version: version.to_owned(),
        };
        self.ssm("UpdateDocumentDefaultVersion", &input).await
    }

    /// `DeleteDocument` (admin): every version.
    pub async fn delete_document(&self, name: &str) -> Result<(), ApiError> {
        self.ssm::<_, serde_json::Value>("DeleteDocument", &document_ref(name, None))
            .await
            .map(drop)
    }

    /// Every version of a document, newest first (`ListDocumentVersions`, see [`all_pages`]).
    pub async fn all_document_versions(
        &self,
        name: &str,
    ) -> Result<Vec<DocumentVersionInfo>, ApiError> {
        all_pages(|next_token| async move {
            let input = ListDocumentVersionsRequest {
                name: name.to_owned(),
                max_results: Some(SSM_PAGE_LIMIT),
                next_token,
            };
            let page: ListDocumentVersionsResult = self.ssm("ListDocumentVersions", &input).await?;
            Ok((page.document_versions, page.next_token))
        })
        .await
    }

    /// `StartAutomationExecution` (responder): the new execution's id.
    pub async fn start_automation_execution(
        &self,
        input: &StartAutomationExecutionRequest,
    ) -> Result<String, ApiError> {
        let out: StartAutomationExecutionResult =
            self.ssm("StartAutomationExecution", input).await?;
        Ok(out.automation_execution_id)
    }

    /// `GetAutomationExecution`: an execution with its steps so far.
    pub async fn get_automation_execution(
        &self,
        id: &str,
    ) -> Result<AutomationExecution, ApiError> {
        let input = ExecutionRef {
            automation_execution_id: id.to_owned(),
            stop_type: None,
        };
        let out: GetAutomationExecutionResult = self.ssm("GetAutomationExecution", &input).await?;
        Ok(out.automation_execution)
    }

    /// The newest executions (`DescribeAutomationExecutions`, one page of
    /// [`SSM_PAGE_LIMIT`]).
    pub async fn recent_automation_executions(
        &self,
    ) -> Result<Vec<AutomationExecutionMetadata>, ApiError> {
        let input = DescribeAutomationExecutionsRequest {
            max_results: Some(SSM_PAGE_LIMIT),
            ..DescribeAutomationExecutionsRequest::default()
        };
        let out: DescribeAutomationExecutionsResult =
            self.ssm("DescribeAutomationExecutions", &input).await?;
        Ok(out.automation_execution_metadata_list)
    }

    /// `SendAutomationSignal` (responder): approve, reject, resume.
    pub async fn send_automation_signal(
        &self,
        input: &SendAutomationSignalRequest,
    ) -> Result<(), ApiError> {
        self.ssm::<_, serde_json::Value>("SendAutomationSignal", input)
            .await
            .map(drop)
    }

    /// `StopAutomationExecution` (responder).
    pub async fn stop_automation_execution(&self, input: &ExecutionRef) -> Result<(), ApiError> {
        self.ssm::<_, serde_json::Value>("StopAutomationExecution", input)
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_refs_name_a_version_or_the_default() {
        assert_eq!(
            serde_json::to_value(document_ref("d", None)).ok(),
            Some(serde_json::json!({"Name": "d"}))
        );
        assert_eq!(
            serde_json::to_value(document_ref("d", Some("2"))).ok(),
            Some(serde_json::json!({"Name": "d", "DocumentVersion": "2"}))
        );
    }
}
